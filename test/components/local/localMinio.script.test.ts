import { bucketSetupScript, FLYTE_MINIO_POLICY, flyteBucketPolicy, MinioProjectData, minioEndpoint, projectKeyVariables, projectMinioPolicyName } from "../../../components/local/localMinio";
import { LOCAL_METADATA_BUCKET, LOCAL_USER_DATA_BUCKET, minioProjects } from "../../../components/local/localPlatform";
import { flyteWorkloads } from "../../../components/contract/identities";
import { s3ProjectPolicy } from "../../../components/contract/s3Access";
import { localStackConfig } from "../../helpers/config";
import { parsePolicy, PolicyStatement } from "../../helpers/aws";
import { at } from "../../helpers/json";
import { minioUserAllows, parseMinioScript } from "../../helpers/storageAccess";

/**
 * LocalMinio's pure parts (components/local/localMinio.ts): the in-cluster endpoint, the policy of Flyte's user,
 * and the setup script the bucket Job runs, with and without isolated projects (one MinIO user each).
 */

describe("minioEndpoint", () => {
    test("the Service's cluster DNS name on the S3 API port, over http", () => {
        expect(minioEndpoint("flyte-deps")).toBe("http://minio.flyte-deps.svc.cluster.local:9000");
        expect(minioEndpoint("team-a-deps")).toBe("http://minio.team-a-deps.svc.cluster.local:9000");
    });
});

describe("flyteBucketPolicy", () => {
    const policy = flyteBucketPolicy(["flyte-metadata", "flyte-userdata"]);
    const parsed = parsePolicy(policy, "flyteBucketPolicy");
    /** The parts these tests look at, as the policy document spells them. */
    const spelled = (p: PolicyStatement) => ({ Effect: p.effect, Action: p.actions, Resource: p.resources });

    test("allows bucket-level actions on exactly the two buckets", () => {
        expect(JSON.parse(policy)).toMatchObject({ Version: "2012-10-17" });
        expect(spelled(parsed[0])).toEqual({
            Effect: "Allow",
            Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            Resource: ["arn:aws:s3:::flyte-metadata", "arn:aws:s3:::flyte-userdata"],
        });
    });

    test("allows object actions on exactly the objects of the two buckets", () => {
        expect(spelled(parsed[1])).toEqual({
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: ["arn:aws:s3:::flyte-metadata/*", "arn:aws:s3:::flyte-userdata/*"],
        });
        expect(parsed).toHaveLength(2);
    });

    test("grants no wildcard action and no wildcard resource, and only Allow", () => {
        for (const statement of parsed) {
            expect(statement.effect).toBe("Allow");
            for (const action of statement.actions) {
                expect(action).toMatch(/^s3:[A-Za-z]+$/);
                expect(action).not.toContain("*");
            }
            for (const resource of statement.resources) {
                expect(resource).not.toBe("*");
                expect(resource).not.toBe("arn:aws:s3:::*");
                expect(resource).toMatch(/^arn:aws:s3:::flyte-(metadata|userdata)(\/\*)?$/);
            }
        }
        expect(policy).not.toContain("s3:*");
    });

    test("names whatever buckets it is given", () => {
        const resources = parsePolicy(flyteBucketPolicy(["m1"]), "flyteBucketPolicy").map((s) => s.resources);
        expect(resources).toEqual([["arn:aws:s3:::m1"], ["arn:aws:s3:::m1/*"]]);
    });
});

describe("bucketSetupScript", () => {
    const endpoint = "http://minio.flyte-deps.svc.cluster.local:9000";
    const script = bucketSetupScript({ endpoint, metadataBucket: "meta-b", userDataBucket: "user-b", projects: [] });
    const lines = script.split("\n");

    test("starts with set -eu and ends with a newline", () => {
        expect(lines[0]).toBe("set -eu");
        expect(script.endsWith("\n")).toBe(true);
    });

    test("waits for the server with the root credentials from the environment", () => {
        expect(lines).toContain(`until mc alias set local ${endpoint} "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"; do`);
        // The alias is set before anything uses it.
        const alias = lines.findIndex((l) => l.includes("mc alias set"));
        const firstUse = lines.findIndex((l) => / local\//.test(l) || /^mc admin/.test(l));
        expect(alias).toBeGreaterThan(0);
        expect(alias).toBeLessThan(firstUse);
    });

    test("creates both buckets, tolerating existing ones", () => {
        expect(lines.filter((l) => l.startsWith("mc mb "))).toEqual([
            "mc mb --ignore-existing local/meta-b",
            "mc mb --ignore-existing local/user-b",
        ]);
    });

    test("enables versioning on the metadata bucket only", () => {
        expect(lines.filter((l) => l.startsWith("mc version "))).toEqual(["mc version enable local/meta-b"]);
        expect(lines.filter((l) => l.includes("version") && l.includes("user-b"))).toEqual([]);
    });

    test("writes the policy flyteBucketPolicy returns through a quoted heredoc and creates it", () => {
        const start = lines.indexOf("cat > /tmp/flyte-buckets.json <<'POLICY'");
        const end = lines.indexOf("POLICY");
        expect(start).toBeGreaterThan(0);
        expect(end).toBe(start + 2);
        expect(lines[start + 1]).toBe(flyteBucketPolicy(["meta-b", "user-b"]));
        // Valid JSON, naming the buckets as MinIO names them (what the policy allows: flyteBucketPolicy's tests).
        expect(at(JSON.parse(lines[start + 1]), "Statement", 0, "Resource")).toEqual(["arn:aws:s3:::meta-b", "arn:aws:s3:::user-b"]);
        expect(lines[end + 1]).toBe("mc admin policy create local flyte-buckets /tmp/flyte-buckets.json");
    });

    test("adds Flyte's user from environment variables, never with literal credentials", () => {
        expect(lines).toContain('mc admin user add local "$FLYTE_ACCESS_KEY" "$FLYTE_SECRET_KEY"');
        // Every credential-bearing mc command takes its arguments from quoted variables.
        for (const line of lines.filter((l) => /mc (alias set|admin user add)/.test(l))) {
            const args = line.replace(/^until /, "").split(";")[0].split(" ").slice(4);
            expect(args.length).toBeGreaterThanOrEqual(2);
            for (const arg of args.slice(-2)) {
                expect(arg).toMatch(/^"\$[A-Z_]+"$/);
            }
        }
        // The only variables the script reads are the four credentials the job's env provides.
        expect([...new Set(script.match(/\$[A-Z_]+/g) ?? [])].sort()).toEqual([
            "$FLYTE_ACCESS_KEY",
            "$FLYTE_SECRET_KEY",
            "$MINIO_ROOT_PASSWORD",
            "$MINIO_ROOT_USER",
        ]);
    });

    test("attaching the policy is idempotent: an already attached policy counts as success", () => {
        const attach = lines.filter((l) => l.includes("policy attach"));
        expect(attach).toEqual([
            'mc admin policy attach local flyte-buckets --user "$FLYTE_ACCESS_KEY" || mc admin user info local "$FLYTE_ACCESS_KEY" | grep -q flyte-buckets',
        ]);
    });

    test("every step that could fail on a second run tolerates existing state", () => {
        // Under set -e, a non-idempotent command would fail the job on a re-run.
        const commands = lines.filter((l) => l.startsWith("mc "));
        expect(commands).toEqual([
            "mc mb --ignore-existing local/meta-b",
            "mc mb --ignore-existing local/user-b",
            "mc version enable local/meta-b",
            "mc admin policy create local flyte-buckets /tmp/flyte-buckets.json",
            'mc admin user add local "$FLYTE_ACCESS_KEY" "$FLYTE_SECRET_KEY"',
            'mc admin policy attach local flyte-buckets --user "$FLYTE_ACCESS_KEY" || mc admin user info local "$FLYTE_ACCESS_KEY" | grep -q flyte-buckets',
        ]);
    });
});

describe("local MinIO with projects", () => {
    const local = localStackConfig({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x","y"]', "flyte:flyteDomains": '["d-dev","t-dev"]' });

    test("projectKeyVariables and projectMinioPolicyName", () => {
        expect(projectKeyVariables(0)).toEqual({ accessKey: "PROJECT_0_ACCESS_KEY", secretKey: "PROJECT_0_SECRET_KEY" });
        expect(projectKeyVariables(12)).toEqual({ accessKey: "PROJECT_12_ACCESS_KEY", secretKey: "PROJECT_12_SECRET_KEY" });
        expect(projectMinioPolicyName("x")).toBe("flyte-project-x");
        expect(FLYTE_MINIO_POLICY).toBe("flyte-buckets");
    });

    const projects: MinioProjectData[] = minioProjects(flyteWorkloads(local.flyte));
    const script = bucketSetupScript({ endpoint: "http://minio:9000", metadataBucket: LOCAL_METADATA_BUCKET, userDataBucket: LOCAL_USER_DATA_BUCKET, projects });
    const parsed = parseMinioScript(script);

    test("bucketSetupScript creates every bucket, Flyte's user on all of them and one user per project", () => {
        for (const bucket of ["flyte-metadata", "flyte-userdata", "flyte-data-x", "flyte-data-y"]) {
            expect(script).toContain(`mc mb --ignore-existing local/${bucket}\n`);
        }
        expect(script).toContain("mc version enable local/flyte-metadata\n");
        expect(parsed.userPolicies).toEqual({
            FLYTE_ACCESS_KEY: ["flyte-buckets"],
            PROJECT_0_ACCESS_KEY: ["flyte-project-x"],
            PROJECT_1_ACCESS_KEY: ["flyte-project-y"],
        });
        expect(parsed.policies["flyte-buckets"]).toBe(flyteBucketPolicy(["flyte-metadata", "flyte-userdata", "flyte-data-x", "flyte-data-y"]));
        expect(parsed.policies["flyte-project-x"]).toBe(
            s3ProjectPolicy({
                projectBucketArn: "arn:aws:s3:::flyte-data-x",
                metadataBucketArn: "arn:aws:s3:::flyte-metadata",
                metadataPrefixes: projects[0].metadataPrefixes,
            }),
        );
        expect(script).toContain('mc admin user add local "$PROJECT_1_ACCESS_KEY" "$PROJECT_1_SECRET_KEY"\n');
    });

    test("project i's user (PROJECT_i_*) reaches project i's data only", () => {
        const x = "PROJECT_0_ACCESS_KEY";
        expect(minioUserAllows(parsed, x, { action: "put", bucket: "flyte-data-x", key: "data/a" })).toBe(true);
        expect(minioUserAllows(parsed, x, { action: "put", bucket: "flyte-metadata", key: "metadata/propeller/x-t-dev-a/o" })).toBe(true);
        expect(minioUserAllows(parsed, x, { action: "get", bucket: "flyte-data-y", key: "data/a" })).toBe(false);
        expect(minioUserAllows(parsed, x, { action: "get", bucket: "flyte-metadata", key: "metadata/propeller/y-t-dev-a/o" })).toBe(false);
        expect(minioUserAllows(parsed, x, { action: "get", bucket: "flyte-userdata", key: "data/a" })).toBe(false);
    });

    test("without projects the script has Flyte's user only", () => {
        const plain = parseMinioScript(bucketSetupScript({ endpoint: "http://minio:9000", metadataBucket: "m", userDataBucket: "u", projects: [] }));
        expect(plain.userPolicies).toEqual({ FLYTE_ACCESS_KEY: ["flyte-buckets"] });
    });
});
