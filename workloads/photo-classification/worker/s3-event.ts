/**
 * S3 event notifications as they arrive on SQS. Handles the test event S3 sends when a
 * notification is configured, several records per message, SNS-wrapped deliveries, and keys
 * in S3's form encoding ("+" is a space, "%2B" a plus). Anything else is an InvalidMessage,
 * which the worker sends to the dead-letter queue instead of retrying it forever. A key whose
 * photo id the API's contract refuses is a refused upload: the other records of its message
 * are still handled.
 */
import { describeIssues, photoId as photoIdSchema } from "../contract";

export interface PhotoUpload {
  bucket: string;
  key: string;
  photoId: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  sequencer?: string;
  eventTime: string;
}

export interface RefusedUpload {
  key: string;
  reason: string;
}

export type ParsedMessage =
  { kind: "test" } | { kind: "uploads"; uploads: PhotoUpload[]; refused: RefusedUpload[]; ignored: string[] };

export class InvalidMessage extends Error {}

export interface Expectation {
  bucket: string;
  prefix: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    throw new InvalidMessage(`object key ${JSON.stringify(raw)} is not valid form encoding`);
  }
}

function parseRecord(record: unknown, index: number, expect: Expectation): PhotoUpload | RefusedUpload | string {
  const where = `Records[${index}]`;
  if (!isObject(record)) throw new InvalidMessage(`${where} is not an object`);
  const name = record.eventName;
  if (record.eventSource !== "aws:s3" || typeof name !== "string")
    throw new InvalidMessage(`${where} is not an S3 event record`);
  if (!name.startsWith("ObjectCreated:")) return `${where}: ${name} is not an upload`;
  const s3 = record.s3;
  if (!isObject(s3) || !isObject(s3.bucket) || !isObject(s3.object))
    throw new InvalidMessage(`${where}.s3 has no bucket or object`);
  const bucket = s3.bucket.name;
  const rawKey = s3.object.key;
  if (typeof bucket !== "string" || typeof rawKey !== "string")
    throw new InvalidMessage(`${where}.s3: bucket name and object key must be strings`);
  if (bucket !== expect.bucket)
    throw new InvalidMessage(`${where}: bucket ${bucket} is not the upload bucket ${expect.bucket}`);
  const key = decodeKey(rawKey);
  if (!key.startsWith(expect.prefix) || key.length === expect.prefix.length)
    throw new InvalidMessage(`${where}: key ${JSON.stringify(key)} is not under ${JSON.stringify(expect.prefix)}`);
  const id = photoIdSchema.safeParse(key.slice(expect.prefix.length));
  if (!id.success)
    return {
      key,
      reason: `${where}: key ${JSON.stringify(key)}: photo id ${describeIssues(id.error).replace(/^body: /, "")}`,
    };
  const eventTime =
    typeof record.eventTime === "string" && !Number.isNaN(Date.parse(record.eventTime))
      ? new Date(record.eventTime).toISOString()
      : undefined;
  if (!eventTime) throw new InvalidMessage(`${where}.eventTime is missing or not a time`);
  const { size, eTag, versionId, sequencer } = s3.object;
  return {
    bucket,
    key,
    photoId: key.slice(expect.prefix.length),
    size: typeof size === "number" ? size : undefined,
    eTag: typeof eTag === "string" ? eTag : undefined,
    versionId: typeof versionId === "string" ? versionId : undefined,
    sequencer: typeof sequencer === "string" ? sequencer : undefined,
    eventTime,
  };
}

export function parseMessage(body: string | undefined, expect: Expectation): ParsedMessage {
  let doc: unknown;
  try {
    doc = JSON.parse(body ?? "");
  } catch {
    throw new InvalidMessage(`body is not JSON: ${JSON.stringify((body ?? "").slice(0, 80))}`);
  }
  if (isObject(doc) && doc.Type === "Notification" && typeof doc.Message === "string")
    return parseMessage(doc.Message, expect);
  if (isObject(doc) && doc.Event === "s3:TestEvent") return { kind: "test" };
  if (!isObject(doc) || !Array.isArray(doc.Records) || doc.Records.length === 0)
    throw new InvalidMessage("body has no S3 Records");
  const uploads: PhotoUpload[] = [];
  const refused: RefusedUpload[] = [];
  const ignored: string[] = [];
  doc.Records.forEach((record, i) => {
    const parsed = parseRecord(record, i, expect);
    if (typeof parsed === "string") ignored.push(parsed);
    else if ("reason" in parsed) refused.push(parsed);
    else uploads.push(parsed);
  });
  return { kind: "uploads", uploads, refused, ignored };
}
