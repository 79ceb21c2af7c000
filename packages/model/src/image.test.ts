import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';

import sharp from 'sharp';

import { CaptionerError } from './errors.js';
import { makeThumbnail, preprocessImage, readImage, type ImageSpec } from './image.js';

const SPEC: ImageSpec = { height: 8, width: 8, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], resize: 'fill' };
// Normalised values of a saturated and an empty channel under SPEC.
const HIGH = (1 - 0.5) / 0.25;
const LOW = (0 - 0.5) / 0.25;

// 32x16: left half red, right half blue, so orientation and channel order are both visible.
async function redBlue(): Promise<sharp.Sharp> {
  const pixels = Buffer.alloc(32 * 16 * 3);
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 32; x++) {
      const i = (y * 32 + x) * 3;
      if (x < 16) pixels[i] = 255;
      else pixels[i + 2] = 255;
    }
  }
  return sharp(pixels, { raw: { width: 32, height: 16, channels: 3 } });
}

const at = (tensor: Float32Array, channel: number, y: number, x: number): number =>
  tensor[channel * SPEC.height * SPEC.width + y * SPEC.width + x]!;

const ENCODERS = {
  jpeg: { mime: 'image/jpeg', encode: (s: sharp.Sharp) => s.jpeg({ quality: 95 }), lossy: true },
  png: { mime: 'image/png', encode: (s: sharp.Sharp) => s.png(), lossy: false },
  webp: { mime: 'image/webp', encode: (s: sharp.Sharp) => s.webp({ lossless: true }), lossy: false },
  gif: { mime: 'image/gif', encode: (s: sharp.Sharp) => s.gif(), lossy: false },
  tiff: { mime: 'image/tiff', encode: (s: sharp.Sharp) => s.tiff({ compression: 'lzw' }), lossy: false },
  avif: { mime: 'image/avif', encode: (s: sharp.Sharp) => s.avif({ quality: 90 }), lossy: true },
} as const;

for (const [format, { mime, encode, lossy }] of Object.entries(ENCODERS)) {
  test(`${format}: read, validated and preprocessed to the model's normalised RGB tensor`, async () => {
    const bytes = await encode(await redBlue()).toBuffer();
    const info = await readImage(bytes);
    assert.deepEqual(info, { format, mime, width: 32, height: 16 });

    const { tensor } = await preprocessImage(bytes, SPEC);
    assert.equal(tensor.length, 3 * 8 * 8);
    const tolerance = lossy ? 0.35 : 1e-6; // AVIF/JPEG chroma subsampling blurs the colours a bit
    // Away from the red/blue boundary (columns 0-2 and 5-7 after the 4x horizontal squeeze).
    for (const y of [0, 3, 7]) {
      for (const x of [0, 2]) {
        assert.ok(
          Math.abs(at(tensor, 0, y, x) - HIGH) <= tolerance,
          `${format} red at ${y},${x}: ${at(tensor, 0, y, x)}`,
        );
        assert.ok(Math.abs(at(tensor, 2, y, x) - LOW) <= tolerance);
      }
      for (const x of [5, 7]) {
        assert.ok(
          Math.abs(at(tensor, 2, y, x) - HIGH) <= tolerance,
          `${format} blue at ${y},${x}: ${at(tensor, 2, y, x)}`,
        );
        assert.ok(Math.abs(at(tensor, 0, y, x) - LOW) <= tolerance);
      }
    }
  });

  test(`${format}: a truncated file is refused as CORRUPT_IMAGE`, async () => {
    const bytes = await encode(await redBlue()).toBuffer();
    const truncated = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    await assert.rejects(readImage(truncated), { name: 'CaptionerError', code: 'CORRUPT_IMAGE' });
    await assert.rejects(preprocessImage(truncated, SPEC), { code: 'CORRUPT_IMAGE' });
  });
}

test('GIF: only the first frame of an animation is used', async () => {
  const frame = (colour: string) =>
    sharp({ create: { width: 8, height: 8, channels: 3, background: colour } })
      .png()
      .toBuffer();
  const gif = await sharp([await frame('red'), await frame('blue')], { join: { animated: true } })
    .gif()
    .toBuffer();
  assert.equal((await sharp(gif).metadata()).pages, 2);
  const { tensor, info } = await preprocessImage(gif, SPEC);
  assert.deepEqual([info.width, info.height], [8, 8]);
  assert.equal(at(tensor, 0, 4, 4), HIGH);
  assert.equal(at(tensor, 2, 4, 4), LOW);
});

test('EXIF orientation is applied before resizing', async () => {
  // Stored 32x16 (red left, blue right); orientation 6 means "rotate 90 degrees clockwise to view",
  // so the viewer sees 16x32 with red on top.
  const bytes = await (await redBlue()).png().withMetadata({ orientation: 6 }).toBuffer();
  const info = await readImage(bytes);
  assert.deepEqual([info.width, info.height], [16, 32]);
  const { tensor } = await preprocessImage(bytes, SPEC);
  assert.equal(at(tensor, 0, 0, 4), HIGH); // top: red
  assert.equal(at(tensor, 2, 7, 4), HIGH); // bottom: blue
  const thumbnail = await makeThumbnail(bytes, { size: 8 });
  assert.deepEqual([thumbnail.width, thumbnail.height], [4, 8]);
});

test('transparent pixels are flattened on white', async () => {
  const rgba = Buffer.alloc(8 * 8 * 4); // fully transparent black
  const bytes = await sharp(rgba, { raw: { width: 8, height: 8, channels: 4 } })
    .png()
    .toBuffer();
  const { tensor } = await preprocessImage(bytes, SPEC);
  assert.ok(tensor.every((value) => value === HIGH));
});

test('greyscale and 16-bit images become three equal 8-bit channels', async () => {
  const grey = await sharp(Buffer.alloc(8 * 8, 51), { raw: { width: 8, height: 8, channels: 1 } })
    .png()
    .toBuffer();
  const grey16 = await sharp(Buffer.alloc(8 * 8 * 2, 51), { raw: { width: 8, height: 8, channels: 1 } })
    .toColourspace('grey16')
    .png()
    .toBuffer();
  const expected = Math.fround(Math.fround(Math.fround(51 / 255) - 0.5) / 0.25);
  for (const bytes of [grey, grey16]) {
    const { tensor } = await preprocessImage(bytes, SPEC);
    assert.ok(
      tensor.every((value) => value === expected),
      `got ${tensor[0]}`,
    );
  }
});

test('resize stretches to the model size (fill), whatever the aspect ratio', async () => {
  const bytes = await (await redBlue()).resize(300, 40, { fit: 'fill' }).png().toBuffer();
  const { tensor } = await preprocessImage(bytes, { ...SPEC, height: 12, width: 6 });
  assert.equal(tensor.length, 3 * 12 * 6);
});

test('non-images and formats we do not accept are refused as UNSUPPORTED_IMAGE', async () => {
  const svg = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
  );
  const inputs = [
    Buffer.from('hello, this is plain text and not an image'),
    svg,
    Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'latin1'),
    Buffer.from([
      0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63, 0, 0, 0, 0, 0x6d, 0x69, 0x66, 0x31, 0x68,
      0x65, 0x69, 0x63,
    ]), // HEIC
  ];
  for (const bytes of inputs) {
    await assert.rejects(readImage(bytes), (error: unknown) => {
      assert.ok(error instanceof CaptionerError);
      assert.equal(error.code, 'UNSUPPORTED_IMAGE');
      assert.match(error.message, /JPEG, PNG, WebP, GIF, TIFF or AVIF/);
      return true;
    });
  }
});

test('an empty upload is refused as IMAGE_EMPTY', async () => {
  await assert.rejects(readImage(new Uint8Array(0)), { code: 'IMAGE_EMPTY' });
});

test('files over the byte limit are refused as IMAGE_TOO_LARGE before decoding', async () => {
  const bytes = await (await redBlue()).png().toBuffer();
  await assert.rejects(readImage(bytes, { maxBytes: bytes.length - 1 }), (error: unknown) => {
    assert.ok(error instanceof CaptionerError);
    assert.equal(error.code, 'IMAGE_TOO_LARGE');
    assert.deepEqual(error.details, { bytes: bytes.length, maxBytes: bytes.length - 1 });
    return true;
  });
  assert.equal((await readImage(bytes, { maxBytes: bytes.length })).width, 32);
});

// A real decompression bomb: a valid PNG header claiming 50000 x 50000 pixels (2.5 gigapixels)
// with a few hundred bytes of data. It must be refused from the header, never decoded.
function pngBomb(): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(50000, 0);
  header.writeUInt32BE(50000, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = deflateSync(Buffer.alloc(3 * (1 + 50000 * 3)));
  return Buffer.concat([
    Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
    chunk('IHDR', header),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('decompression bombs over the pixel limit are refused as IMAGE_DIMENSIONS_TOO_LARGE', async () => {
  const bomb = pngBomb();
  assert.ok(bomb.length < 2000);
  for (const attempt of [() => readImage(bomb), () => preprocessImage(bomb, SPEC), () => makeThumbnail(bomb)]) {
    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof CaptionerError);
      assert.equal(error.code, 'IMAGE_DIMENSIONS_TOO_LARGE');
      assert.match(error.message, /50000x50000/);
      return true;
    });
  }
  const small = await (await redBlue()).png().toBuffer();
  await assert.rejects(readImage(small, { maxPixels: 32 * 16 - 1 }), { code: 'IMAGE_DIMENSIONS_TOO_LARGE' });
  assert.equal((await readImage(small, { maxPixels: 32 * 16 })).height, 16);
});

test('thumbnails are WebP, fit inside the requested size and are never enlarged', async () => {
  const bytes = await (await redBlue()).resize(640, 320).jpeg().toBuffer();
  const thumbnail = await makeThumbnail(bytes, { size: 128 });
  assert.equal(thumbnail.mime, 'image/webp');
  assert.deepEqual([thumbnail.width, thumbnail.height], [128, 64]);
  const decoded = await readImage(thumbnail.data);
  assert.deepEqual(decoded, { format: 'webp', mime: 'image/webp', width: 128, height: 64 });

  const small = await makeThumbnail(await (await redBlue()).png().toBuffer(), { size: 128 });
  assert.deepEqual([small.width, small.height], [32, 16]);
});

test('the model tensor is bit-identical to training/images.py (PIL) for images that need resizing', async () => {
  const spec: ImageSpec = {
    height: 64,
    width: 64,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    resize: 'fill',
  };
  const drawn = await sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="150" height="113"><rect width="100%" height="100%" fill="#cde"/>' +
        '<circle cx="40" cy="50" r="30" fill="red"/><polygon points="100,10 140,100 60,100" fill="#396"/></svg>',
    ),
  )
    .png()
    .toBuffer();
  const inputs = {
    png: drawn,
    jpeg: await sharp(drawn).jpeg({ quality: 90 }).toBuffer(),
    'small-rgba-png': await sharp(drawn).resize(31, 47, { fit: 'fill' }).ensureAlpha(0.5).png().toBuffer(),
  };
  const script = `
import base64, io, json, sys
from PIL import Image
sys.path.insert(0, ".")
from training.images import make_transform
spec, images = json.load(sys.stdin)
transform = make_transform(spec["height"], spec["mean"], spec["std"])
print(json.dumps([base64.b64encode(transform(Image.open(io.BytesIO(base64.b64decode(b)))).numpy().tobytes()).decode() for b in images]))
`;
  const expected = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', script], {
      cwd: new URL('../../../', import.meta.url),
      input: JSON.stringify([spec, Object.values(inputs).map((b) => b.toString('base64'))]),
      encoding: 'utf8',
    }),
  ) as string[];
  for (const [i, [name, bytes]] of Object.entries(inputs).entries()) {
    const { tensor } = await preprocessImage(bytes, spec);
    assert.equal(
      Buffer.from(tensor.buffer, tensor.byteOffset, tensor.byteLength).toString('base64'),
      expected[i],
      name,
    );
  }
});
