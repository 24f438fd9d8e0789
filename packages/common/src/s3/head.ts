import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { toS3Error } from './errors';

/** HeadObject, mapped to S3Error. @throws S3Error */
export async function headObject(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<HeadObjectCommandOutput> {
  try {
    return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  } catch (err) {
    throw toS3Error(err, 'HeadObject', bucket, key);
  }
}
