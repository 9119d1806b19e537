import { flyteWorkloads, type DataAccess } from "../../../components/contract/identities";
import { dataPlaneRawDataAccess, s3PolicyFor, s3ProjectPolicy, s3ReadWritePolicy } from "../../../components/contract/s3Access";
import { twoProjectFlyteConfig } from "../../helpers/config";
import { arrayAt, at } from "../../helpers/json";
import { s3Decision, StorageRequest } from "../../helpers/storageAccess";

/** S3 access for an identity (components/contract/s3Access.ts): the policies, and how an identity's data request picks one. */

function json(text: string): unknown {
    return JSON.parse(text) as unknown;
}

describe("s3ReadWritePolicy", () => {
    const buckets = ["arn:aws:s3:::flyte-dev-metadata", "arn:aws:s3:::flyte-dev-userdata"];
    const text = s3ReadWritePolicy(buckets);
    const policy = json(text);

    test("allows listing exactly the given buckets and object access in exactly those buckets", () => {
        expect(policy).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "FlyteBuckets",
                    Effect: "Allow",
                    Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                    Resource: ["arn:aws:s3:::flyte-dev-metadata", "arn:aws:s3:::flyte-dev-userdata"],
                },
                {
                    Sid: "FlyteObjects",
                    Effect: "Allow",
                    Action: [
                        "s3:GetObject",
                        "s3:PutObject",
                        "s3:DeleteObject",
                        "s3:AbortMultipartUpload",
                        "s3:ListMultipartUploadParts",
                    ],
                    Resource: ["arn:aws:s3:::flyte-dev-metadata/*", "arn:aws:s3:::flyte-dev-userdata/*"],
                },
            ],
        });
    });

    test("no s3:* action, no '*' resource, no Deny to get around, nothing outside the buckets", () => {
        const statements = arrayAt(policy, "Statement");
        for (const statement of statements) {
            expect(at(statement, "Effect")).toBe("Allow");
            for (const action of arrayAt(statement, "Action")) {
                expect(action).not.toBe("s3:*");
                expect(String(action)).toMatch(/^s3:[A-Za-z]+$/);
            }
            for (const resource of arrayAt(statement, "Resource")) {
                expect(resource).not.toBe("*");
                expect(buckets.some((b) => resource === b || resource === `${b}/*`)).toBe(true);
            }
        }
        expect(text).not.toContain('"s3:*"');
        expect(text).not.toContain('"*"');
    });

    test("works for other bucket ARNs (GovCloud) and keeps their order", () => {
        const gov = ["arn:aws-us-gov:s3:::b2", "arn:aws-us-gov:s3:::b1"];
        expect(at(json(s3ReadWritePolicy(gov)), "Statement", 0, "Resource")).toEqual(gov);
        expect(at(json(s3ReadWritePolicy(gov)), "Statement", 1, "Resource")).toEqual([
            "arn:aws-us-gov:s3:::b2/*",
            "arn:aws-us-gov:s3:::b1/*",
        ]);
    });
});

describe("S3 policies", () => {
    const META = "arn:aws:s3:::meta";
    const XB = "arn:aws:s3:::data-x";
    const YB = "arn:aws:s3:::data-y";
    const decide = (policy: string, request: Parameters<typeof s3Decision>[1]) => s3Decision([{ document: policy, where: "p" }], request);

    test("s3ProjectPolicy: the project's bucket whole; the metadata bucket's location, and its objects and listing under the prefixes", () => {
        const policy = JSON.parse(s3ProjectPolicy({ projectBucketArn: XB, metadataBucketArn: META, metadataPrefixes: ["m/x-", "u/x/"] })) as {
            Statement: { Sid: string; Action: string[]; Resource: string[]; Condition?: unknown }[];
        };
        expect(policy.Statement.map((s) => [s.Sid, s.Resource])).toEqual([
            ["ProjectBucket", [XB]],
            ["ProjectObjects", [`${XB}/*`]],
            ["MetadataLocation", [META]],
            ["ProjectMetadataListing", [META]],
            ["ProjectMetadataObjects", [`${META}/m/x-*`, `${META}/u/x/*`]],
        ]);
        expect(policy.Statement[2].Action).toEqual(["s3:GetBucketLocation"]);
        expect(policy.Statement[3]).toMatchObject({ Action: ["s3:ListBucket"], Condition: { StringLike: { "s3:prefix": ["m/x-*", "u/x/*"] } } });
        expect(policy.Statement.flatMap((s) => s.Action)).not.toContain("s3:*");
    });

    test("s3ProjectPolicy decides as intended", () => {
        const policy = s3ProjectPolicy({ projectBucketArn: XB, metadataBucketArn: META, metadataPrefixes: ["m/x-"] });
        const decisions: [StorageRequest, "allow" | "none"][] = [
            [{ action: "put", bucket: "meta", key: "m/x-1/o" }, "allow"],
            [{ action: "put", bucket: "meta", key: "m/y-1/o" }, "none"],
            [{ action: "list", bucket: "meta", prefix: "m/x-" }, "allow"],
            [{ action: "list", bucket: "meta", prefix: "m/" }, "none"],
            [{ action: "get", bucket: "data-x", key: "any" }, "allow"],
            [{ action: "get", bucket: "data-y", key: "any" }, "none"],
        ];
        for (const [request, decision] of decisions) {
            expect([request, decide(policy, request)]).toEqual([request, decision]);
        }
    });

    test("s3ProjectPolicy refuses an empty prefix list", () => {
        expect(() => s3ProjectPolicy({ projectBucketArn: XB, metadataBucketArn: META, metadataPrefixes: [] })).toThrow(
            "a project policy needs at least one metadata prefix",
        );
    });

    const buckets = { metadata: META, userData: "arn:aws:s3:::user", projects: { x: XB, y: YB } };

    test("s3PolicyFor: none gets no policy; metadata-only gets the metadata bucket only", () => {
        expect(s3PolicyFor({ kind: "none" }, buckets)).toBeUndefined();
        expect(s3PolicyFor({ kind: "shared", metadata: true, userData: false }, buckets)).toBe(s3ReadWritePolicy([META]));
    });

    test("s3PolicyFor: whoever reads user data reads every project's bucket too", () => {
        expect(s3PolicyFor({ kind: "shared", metadata: true, userData: true }, buckets)).toBe(
            s3ReadWritePolicy([META, "arn:aws:s3:::user", XB, YB]),
        );
        expect(s3PolicyFor({ kind: "shared", metadata: false, userData: true }, { ...buckets, projects: {} })).toBe(
            s3ReadWritePolicy(["arn:aws:s3:::user"]),
        );
    });

    test("s3PolicyFor: a project gets its project policy, and a project without a bucket is an error", () => {
        expect(s3PolicyFor({ kind: "project", project: "y", metadataPrefixes: ["m/y-"] }, buckets)).toBe(
            s3ProjectPolicy({ projectBucketArn: YB, metadataBucketArn: META, metadataPrefixes: ["m/y-"] }),
        );
        expect(() => s3PolicyFor({ kind: "project", project: "z", metadataPrefixes: ["m/z-"] }, buckets)).toThrow("no data bucket for project z");
    });
});

describe("the data planes' raw-data buckets (a control plane's roles)", () => {
    const META = "arn:aws:s3:::meta";
    const USER = "arn:aws:s3:::user";
    const BATCH = "arn:aws:s3:::batch-raw";
    const GPU = "arn:aws:s3:::gpu-raw";
    const shared: DataAccess = { kind: "shared", metadata: true, userData: true };
    const withDataPlanes = { metadata: META, userData: USER, projects: {}, dataPlaneRawData: [BATCH, GPU] };
    const decide = (policy: string | undefined, request: Parameters<typeof s3Decision>[1]) => s3Decision([{ document: policy ?? "", where: "p" }], request);

    test("without data-plane buckets every policy is exactly what it was: no access asked, none listed, or an empty list", () => {
        const accesses: DataAccess[] = [
            { kind: "none" },
            { kind: "shared", metadata: true, userData: false },
            shared,
            { kind: "project", project: "x", metadataPrefixes: ["m/x-"] },
        ];
        const buckets = { metadata: META, userData: USER, projects: { x: "arn:aws:s3:::data-x" } };
        for (const data of accesses) {
            const before = s3PolicyFor(data, buckets);
            for (const grant of ["none", "read", "readWrite"] as const) {
                expect(s3PolicyFor(data, { ...buckets, dataPlaneRawData: [] }, grant)).toBe(before);
            }
            expect(s3PolicyFor(data, { ...buckets, dataPlaneRawData: [BATCH] })).toBe(before);
        }
        expect(s3PolicyFor(shared, { ...buckets, dataPlaneRawData: [] }, "readWrite")).toBe(s3ReadWritePolicy([META, USER, "arn:aws:s3:::data-x"]));
    });

    test("read and write: the buckets join the user-data bucket's list", () => {
        expect(s3PolicyFor(shared, withDataPlanes, "readWrite")).toBe(s3ReadWritePolicy([META, USER, BATCH, GPU]));
    });

    test("read: the role's own policy, then listing and reading the data planes' buckets, nothing else", () => {
        const policy = JSON.parse(s3PolicyFor(shared, withDataPlanes, "read") ?? "") as { Statement: unknown[] };
        expect(policy.Statement).toEqual([
            ...(JSON.parse(s3ReadWritePolicy([META, USER])) as { Statement: unknown[] }).Statement,
            { Sid: "DataPlaneRawDataBuckets", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket"], Resource: [BATCH, GPU] },
            { Sid: "DataPlaneRawDataObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${BATCH}/*`, `${GPU}/*`] },
        ]);
    });

    test("the policies decide as intended", () => {
        const readWrite = s3PolicyFor(shared, withDataPlanes, "readWrite");
        const read = s3PolicyFor(shared, withDataPlanes, "read");
        for (const bucket of ["batch-raw", "gpu-raw"]) {
            for (const action of ["get", "put", "delete"] as const) {
                expect(decide(readWrite, { action, bucket, key: "o" })).toBe("allow");
                expect(decide(read, { action, bucket, key: "o" })).toBe(action === "get" ? "allow" : "none");
            }
            expect(decide(read, { action: "list", bucket, prefix: "" })).toBe("allow");
        }
        expect(decide(read, { action: "get", bucket: "other-raw", key: "o" })).toBe("none");
    });

    test("only identities of the shared user data may be granted them", () => {
        for (const data of [{ kind: "shared", metadata: true, userData: false }, { kind: "project", project: "x", metadataPrefixes: ["m/x-"] }] as const) {
            expect(() => s3PolicyFor(data, { ...withDataPlanes, projects: { x: "arn:aws:s3:::data-x" } }, "read")).toThrow(
                "data-plane raw-data buckets are only for identities of the shared user data",
            );
        }
    });

    test("dataPlaneRawDataAccess: the shared task pods read and write, flyteadmin (or flyte-binary's backend) reads, nobody else", () => {
        const access = (flavor: "binary" | "core", isolation: boolean) =>
            Object.fromEntries(flyteWorkloads(twoProjectFlyteConfig(flavor, isolation)).identities.map((r) => [r.key, dataPlaneRawDataAccess(r)]));
        expect(access("core", false)).toEqual({ flyteadmin: "read", flytepropeller: "none", datacatalog: "none", flytescheduler: "none", worker: "readWrite" });
        expect(access("binary", false)).toEqual({ backend: "read", worker: "readWrite" });
        // With project isolation (which data planes with buckets of their own are not allowed with) the projects' roles get none.
        expect(access("core", true)).toEqual({ flyteadmin: "read", flytepropeller: "none", datacatalog: "none", flytescheduler: "none", "worker-x": "none", "worker-y": "none" });
    });
});
