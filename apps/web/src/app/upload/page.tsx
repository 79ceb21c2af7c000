// Upload: add your own images and watch both models caption them.
import type { Metadata } from 'next';
import { Uploader } from '@/components/uploader';

export const metadata: Metadata = { title: 'Upload' };

export default function UploadPage() {
  return (
    <>
      <div className="page-heading">
        <h1>Upload</h1>
        <p className="muted">Your images join the gallery. Identical files are recognised and not stored twice.</p>
      </div>
      <Uploader />
    </>
  );
}
