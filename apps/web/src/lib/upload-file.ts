// Sends one file to the upload proxy with XMLHttpRequest (fetch cannot report upload progress) and turns every
// outcome, including a proxy or size error without JSON, into one result a person can read.
export interface UploadOutcome {
  imageId: string | null;
  created: boolean;
  error: { code: string; message: string } | null;
}

interface UploadResponse {
  results?: { filename: string; imageId: string | null; created: boolean; error?: { code: string; message: string } }[];
  error?: { code?: string; message?: string };
  errors?: { message: string; extensions?: { code?: string } }[];
}

function failure(code: string, message: string): UploadOutcome {
  return { imageId: null, created: false, error: { code, message } };
}

function statusMessage(status: number): UploadOutcome {
  if (status === 413)
    return failure('PAYLOAD_TOO_LARGE', 'The file is larger than the service accepts. Try a smaller image.');
  if (status === 502 || status === 503)
    return failure('API_UNREACHABLE', 'The caption service is not reachable. Try again in a moment.');
  return failure('UPLOAD_FAILED', `The upload failed (HTTP ${status}). Try again.`);
}

export function uploadFile(file: File, onProgress: (fraction: number) => void): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/upload');
    request.responseType = 'json';
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onerror = () =>
      resolve(failure('NETWORK', 'The connection failed during the upload. Check your network and retry.'));
    request.onload = () => {
      const body = request.response as UploadResponse | null;
      const result = body?.results?.[0];
      if (result) {
        resolve({ imageId: result.imageId ?? null, created: result.created, error: result.error ?? null });
      } else if (body?.error?.message) {
        resolve(failure(body.error.code ?? 'UPLOAD_FAILED', body.error.message));
      } else if (body?.errors?.[0]) {
        resolve(failure(body.errors[0].extensions?.code ?? 'UPLOAD_FAILED', body.errors[0].message));
      } else {
        resolve(statusMessage(request.status));
      }
    };
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}
