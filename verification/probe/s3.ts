/**
 * S3's object calls (PutObject, GetObject, DeleteObject), on AWS (virtual-hosted style) or an S3-compatible store
 * such as MinIO (path style), signed with Signature Version 4.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html, API_GetObject.html, API_DeleteObject.html;
 * addressing: https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
import type { ObjectStore } from "./config.ts";
import type { ProbeEnvironment } from "./environment.ts";
import { awsError } from "./aws.ts";
import { type AwsCredentials, signRequest } from "./sigv4.ts";
import { percentEncode, quote, send, type TransportOptions } from "./transport.ts";

/** Where a bucket is and who signs for it. */
export interface S3Target {
    /** The bucket's base URL: `https://<bucket>.s3.<region>.amazonaws.com` or `<endpoint>/<bucket>`. */
    readonly bucketUrl: string;
    /** The region signed for. */
    readonly region: string;
    /** The keys. */
    readonly credentials: AwsCredentials;
    /** Per-request limits. */
    readonly transport: TransportOptions;
}

/** S3's answer to an object call. */
export interface S3Answer {
    /** The HTTP status. */
    readonly status: number;
    /** The body (the object's bytes for GetObject). */
    readonly body: Buffer;
    /** The error's code (`AccessDenied`, `NoSuchBucket`, …) or empty. */
    readonly code: string;
    /** The error's message, or a brief quote of a body that is not S3's XML; empty on success. */
    readonly message: string;
}

/** A bucket's base URL for a store: virtual-hosted on AWS, path style on an S3-compatible endpoint. */
export function bucketUrl(store: Exclude<ObjectStore, { readonly kind: "gcs" }>, bucket: string, env: ProbeEnvironment): string {
    if (store.kind === "s3") {
        return env.s3BucketUrl(bucket, store.region).replace(/\/+$/, "");
    }
    return `${store.endpoint.replace(/\/+$/, "")}/${percentEncode(bucket)}`;
}

/** An object's URL under its bucket's: each segment of the key URI-encoded once, as S3 signs it. */
export function objectUrl(base: string, key: string): string {
    return `${base}/${key.split("/").map((segment) => percentEncode(segment)).join("/")}`;
}

/** PutObject. */
export function putObject(target: S3Target, key: string, body: Uint8Array, contentType = "text/plain"): Promise<S3Answer> {
    return s3Call(target, "PUT", key, body, { "content-type": contentType });
}

/** GetObject. */
export function getObject(target: S3Target, key: string): Promise<S3Answer> {
    return s3Call(target, "GET", key);
}

/** DeleteObject (204 whether or not the key existed). */
export function deleteObject(target: S3Target, key: string): Promise<S3Answer> {
    return s3Call(target, "DELETE", key);
}

async function s3Call(target: S3Target, method: string, key: string, body?: Uint8Array, headers?: Readonly<Record<string, string>>): Promise<S3Answer> {
    const url = objectUrl(target.bucketUrl, key);
    const request = { method, url, headers, body };
    // Signed afresh for each call; a retry within the transport reuses the signature, valid for 15 minutes.
    const signed = signRequest(request, { service: "s3", region: target.region, credentials: target.credentials });
    const answer = await send({ ...request, headers: signed }, target.transport);
    if (answer.status >= 200 && answer.status < 300) {
        return { status: answer.status, body: answer.body, code: "", message: "" };
    }
    const secrets = [target.credentials.secretAccessKey, target.credentials.sessionToken ?? ""];
    const error = awsError(answer.body);
    return {
        status: answer.status,
        body: answer.body,
        code: error?.code ?? "",
        message: error ? quote(error.message, secrets) : quote(answer.body, secrets),
    };
}
