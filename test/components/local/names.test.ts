import { localDependenciesNamespace, localProjectBucket, MINIO_BUCKET_MAX, PROJECT_BUCKET_MAX_LOCAL } from "../../../components/local/names";
import { localStackConfig } from "../../helpers/config";

describe("names on a local cluster", () => {
    test("each isolated project's MinIO bucket, and the longest project id it fits", () => {
        expect(localProjectBucket("ml")).toBe("flyte-data-ml");
        expect(localProjectBucket("x")).toBe("flyte-data-x");
        expect(MINIO_BUCKET_MAX).toBe(63);
        expect(PROJECT_BUCKET_MAX_LOCAL).toBe(52);
        expect(localProjectBucket("p".repeat(PROJECT_BUCKET_MAX_LOCAL))).toHaveLength(MINIO_BUCKET_MAX);
    });

    test("the dependencies' namespace, which config validation reports as its own", () => {
        expect(localDependenciesNamespace("flyte")).toBe("flyte-deps");
        expect(localStackConfig({ "flyte:flyteNamespace": "team-a" }).local.namespace).toBe(localDependenciesNamespace("team-a"));
    });

    test("config accepts exactly the project ids whose bucket fits", () => {
        const isolated = (project: string) => ({ "flyte:projectIsolation": "true", "flyte:flyteDomains": '["d"]', "flyte:flyteProjects": JSON.stringify([project]) });
        expect(localStackConfig(isolated("r".repeat(PROJECT_BUCKET_MAX_LOCAL))).flyte.projects).toHaveLength(1);
        expect(() => localStackConfig(isolated("r".repeat(PROJECT_BUCKET_MAX_LOCAL + 1)))).toThrow(
            `with projectIsolation, project ids name a MinIO bucket (flyte-data-<project>, 63 characters in all): at most ${PROJECT_BUCKET_MAX_LOCAL} characters`,
        );
    });
});
