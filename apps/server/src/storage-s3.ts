// Export files in an S3 bucket (or an S3-compatible server), through the AWS SDK: the
// usual AWS settings (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, profiles…);
// with an endpoint (`--s3-endpoint`, AWS_ENDPOINT_URL) addressing is path-style, as
// S3-compatible servers expect.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type ArtifactStorage, nameSuffix } from './storage.js';

/** True for the SDK's "no such key" answers. */
const notFound = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

/** Storage in `s3://bucket/prefix`. */
export function s3Storage(url: string, endpoint: string | undefined): ArtifactStorage {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new Error(`--storage s3://bucket/prefix: no bucket in ${JSON.stringify(url)}`);
  const Bucket = m[1]!;
  const prefix = m[2]!.replace(/\/+$/, '');
  const client = new S3Client({
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // Plain bodies (no aws-chunked checksum trailers), which every S3-compatible server reads.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // Keys are relative paths; objects sit under the prefix, with `/` separators.
  const objectKey = (key: string) => {
    const parts = key.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw new Error(`storage key ${key} leads out of the prefix`);
    return posix.join(prefix, ...parts);
  };
  const exists = async (Key: string) =>
    client.send(new HeadObjectCommand({ Bucket, Key })).then(
      () => true,
      (error) => {
        if (notFound(error)) return false;
        throw error;
      },
    );
  return {
    description: `s3://${Bucket}/${prefix}${endpoint ? ` at ${endpoint}` : ''}`,
    async put(source, relDir, stem, ext) {
      const size = (await fs.stat(source)).size;
      for (let attempt = 0; attempt < 10; attempt++) {
        const key = join(relDir, `${stem}${attempt === 0 ? '' : nameSuffix()}${ext}`);
        const Key = objectKey(key);
        if (await exists(Key)) continue;
        await client.send(
          new PutObjectCommand({ Bucket, Key, Body: createReadStream(source), ContentLength: size }),
        );
        await fs.rm(source, { force: true });
        return key;
      }
      throw new Error(`no free name for ${stem}${ext} in ${relDir}`);
    },
    async local(key, tmpDir) {
      await fs.mkdir(tmpDir, { recursive: true });
      const path = join(
        tmpDir,
        `s3-${process.pid}-${Date.now()}-${nameSuffix().slice(1)}-${posix.basename(objectKey(key))}`,
      );
      const got = await client.send(new GetObjectCommand({ Bucket, Key: objectKey(key) }));
      try {
        await pipeline(got.Body as Readable, createWriteStream(path));
      } catch (error) {
        await fs.rm(path, { force: true });
        throw error;
      }
      return { path, release: () => fs.rm(path, { force: true }) };
    },
    async open(key) {
      const Key = objectKey(key);
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key }));
        return {
          size: Number(head.ContentLength ?? 0),
          stream: async () => (await client.send(new GetObjectCommand({ Bucket, Key }))).Body as Readable,
        };
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) }));
    },
    async removeAll(folder) {
      const Prefix = `${objectKey(folder)}/`;
      for (let token: string | undefined; ; ) {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken: token }),
        );
        const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
        if (keys.length) await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys } }));
        if (!page.IsTruncated) return;
        token = page.NextContinuationToken;
      }
    },
    async ready() {
      await client.send(new HeadBucketCommand({ Bucket }));
    },
  };
}
