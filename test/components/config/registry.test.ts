/**
 * The task image registry and who may push to it (components/config/registry.ts): off by default, its keys refused
 * without it, a GitHub repository (and optionally a ref or environment) for keyless pushes.
 */
import { awsStackConfig, configError, expectOneLine, gcpStackConfig, rawAwsConfig, rawGcpConfig } from "../../helpers/config";

const ON = { "flyte:registry": "true" } as const;

test("off by default; on local there is none", () => {
    expect(gcpStackConfig().registry).toBeUndefined();
    expect(awsStackConfig().registry).toBeUndefined();
    expect(configError({ "flyte:cloud": "local", ...ON }).message).toContain("flyte:registry");
});

test("on: the cleanup defaults, nobody pushes keylessly until a repository is named", () => {
    expect(gcpStackConfig(ON).registry).toEqual({ keepVersions: 20, untaggedDays: 7, githubPush: undefined });
});

test("a repository, and optionally a ref and an environment", () => {
    expect(
        awsStackConfig({ ...ON, "flyte:ciGithubRepository": "acme/ml-pipelines", "flyte:ciGithubRef": "refs/heads/main", "flyte:ciGithubEnvironment": "production", "flyte:registryKeepVersions": "50" }).registry,
    ).toEqual({ keepVersions: 50, untaggedDays: 7, githubPush: { repository: "acme/ml-pipelines", ref: "refs/heads/main", environment: "production" } });
    expect(gcpStackConfig({ ...ON, "flyte:ciGithubRepository": "acme/ml" }).registry?.githubPush).toEqual({ repository: "acme/ml", ref: "", environment: "" });
});

test.each([
    [{ "flyte:registryKeepVersions": "5" }, "flyte:registryKeepVersions", "only with registry: true"],
    [{ "flyte:ciGithubRepository": "acme/ml" }, "flyte:ciGithubRepository", "only with registry: true"],
    [{ ...ON, "flyte:ciGithubRef": "refs/heads/main" }, "flyte:ciGithubRef", "only with ciGithubRepository set"],
    [{ ...ON, "flyte:ciGithubRepository": "https://github.com/acme/ml" }, "flyte:ciGithubRepository", "owner/repo"],
    [{ ...ON, "flyte:ciGithubRepository": "acme" }, "flyte:ciGithubRepository", "owner/repo"],
    [{ ...ON, "flyte:ciGithubRepository": "acme/ml", "flyte:ciGithubRef": "main" }, "flyte:ciGithubRef", "refs/heads/main"],
    [{ ...ON, "flyte:registryUntaggedDays": "0" }, "flyte:registryUntaggedDays", "1 to 365"],
])("%o: %s is refused", (overrides, key, allowed) => {
    for (const raw of [rawGcpConfig(overrides), rawAwsConfig(overrides)]) {
        const err = configError(raw);
        expectOneLine(err, key);
        expect(err.message).toContain(allowed);
    }
});
