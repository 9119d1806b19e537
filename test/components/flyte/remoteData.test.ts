import { remoteDataValues } from "../../../components/flyte/remoteData";

/**
 * The `remoteData` section flyteadmin reads (components/flyte/remoteData.ts). What the charts make of it, per
 * shipped stack: test/stacks/signedUrls.test.ts.
 */

describe("remoteDataValues", () => {
    test("GCS and S3 sign for a few minutes; access-key stores do not sign", () => {
        expect(remoteDataValues({ provider: "gcs", signingPrincipal: "a@p.iam.gserviceaccount.com" })).toEqual({
            scheme: "gcp",
            maxSizeInBytes: 10 * 1024 * 1024,
            signedUrls: { enabled: true, durationMinutes: 3, signingPrincipal: "a@p.iam.gserviceaccount.com" },
        });
        expect(remoteDataValues({ provider: "s3", region: "eu-central-1" })).toEqual({
            scheme: "aws",
            region: "eu-central-1",
            maxSizeInBytes: 10 * 1024 * 1024,
            signedUrls: { enabled: true, durationMinutes: 3 },
        });
        expect(remoteDataValues({ provider: "s3-access-keys" })).toEqual({ scheme: "none" });
    });
});
