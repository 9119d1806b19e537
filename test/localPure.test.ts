import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { currentContext, localClusterName, readKubeconfig, resolveKubeconfigPath } from "../components/local/kubeconfig";
import {
    DASHBOARD_CHART,
    DASHBOARD_CHART_VERSION,
    DASHBOARD_REPOSITORY,
    dashboardTaskLogLink,
    dashboardValues,
} from "../components/local/kubernetesDashboard";
import { bucketSetupScript, flyteBucketPolicy, minioEndpoint } from "../components/local/localMinio";
import { arrayAt, at, isRecord } from "./helpers/helm";

/** The pure parts of the local target: kubeconfig resolution, MinIO's endpoint, policy and setup script, the dashboard. */

const KUBECONFIG_TEXT = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: kind-flyte",
    "    cluster: { server: https://127.0.0.1:6443 }",
    "contexts:",
    "  - name: kind-flyte",
    "    context: { cluster: kind-flyte, user: kind-flyte }",
    "  - name: k3d-other",
    "    context: { cluster: kind-flyte, user: kind-flyte }",
    "current-context: kind-flyte",
    "users:",
    "  - name: kind-flyte",
    "    user: { token: not-a-real-token }",
    "",
].join("\n");

describe("resolveKubeconfigPath", () => {
    test("a configured path wins over $KUBECONFIG and $HOME", () => {
        expect(resolveKubeconfigPath("/etc/flyte/kubeconfig", { KUBECONFIG: "/from/env", HOME: "/home/me" })).toBe(
            "/etc/flyte/kubeconfig",
        );
        expect(resolveKubeconfigPath("relative/kc.yaml", {})).toBe("relative/kc.yaml");
    });

    test("else the first non-empty entry of $KUBECONFIG, split by the path delimiter", () => {
        const list = (...entries: string[]) => entries.join(path.delimiter);
        expect(resolveKubeconfigPath("", { KUBECONFIG: "/only/one", HOME: "/home/me" })).toBe("/only/one");
        expect(resolveKubeconfigPath("", { KUBECONFIG: list("/a/one", "/b/two"), HOME: "/home/me" })).toBe("/a/one");
        expect(resolveKubeconfigPath("", { KUBECONFIG: list("", "", "/b/two", "/c/three"), HOME: "/home/me" })).toBe(
            "/b/two",
        );
    });

    test("else $HOME/.kube/config, also when $KUBECONFIG is empty or only delimiters", () => {
        expect(resolveKubeconfigPath("", { HOME: "/home/me" })).toBe("/home/me/.kube/config");
        expect(resolveKubeconfigPath("", { KUBECONFIG: "", HOME: "/home/me" })).toBe("/home/me/.kube/config");
        expect(resolveKubeconfigPath("", { KUBECONFIG: path.delimiter.repeat(3), HOME: "/home/me" })).toBe(
            "/home/me/.kube/config",
        );
    });

    test("without $HOME, the user's home directory", () => {
        expect(resolveKubeconfigPath("", {})).toBe(path.join(os.homedir(), ".kube", "config"));
    });
});

describe("currentContext", () => {
    test("the current-context of a valid kubeconfig", () => {
        expect(currentContext(KUBECONFIG_TEXT)).toBe("kind-flyte");
        expect(currentContext(JSON.stringify({ "current-context": "docker-desktop", contexts: [] }))).toBe("docker-desktop");
    });

    test.each([
        ["no current-context key", "apiVersion: v1\nkind: Config\ncontexts: []\n"],
        ["an empty current-context", 'apiVersion: v1\ncurrent-context: ""\n'],
        ["a null current-context", "current-context:\n"],
        ["a non-string current-context", "current-context: 42\n"],
        ["a list", "- current-context\n- kind\n"],
        ["a scalar", "current-context"],
        ["an empty text", ""],
        ["garbage YAML", "{{{ : [ unbalanced\n\t- ]"],
        ["a duplicate key", "current-context: a\ncurrent-context: b\n"],
    ])("undefined for %s", (_name, text) => {
        expect(currentContext(text)).toBeUndefined();
    });
});

describe("readKubeconfig", () => {
    let dir: string;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-test-"));
    });
    afterAll(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("returns the file's text", () => {
        const file = path.join(dir, "config");
        fs.writeFileSync(file, KUBECONFIG_TEXT);
        expect(readKubeconfig(file)).toBe(KUBECONFIG_TEXT);
    });

    test("returns undefined for a missing file or a directory", () => {
        expect(readKubeconfig(path.join(dir, "does-not-exist"))).toBeUndefined();
        expect(readKubeconfig(dir)).toBeUndefined();
    });
});

describe("minioEndpoint", () => {
    test("the Service's cluster DNS name on the S3 API port, over http", () => {
        expect(minioEndpoint("flyte-deps")).toBe("http://minio.flyte-deps.svc.cluster.local:9000");
        expect(minioEndpoint("team-a-deps")).toBe("http://minio.team-a-deps.svc.cluster.local:9000");
    });
});

interface PolicyStatement {
    readonly Effect: unknown;
    readonly Action: unknown;
    readonly Resource: unknown;
}

function statements(policy: string): PolicyStatement[] {
    const doc: unknown = JSON.parse(policy);
    expect(at(doc, "Version")).toBe("2012-10-17");
    return arrayAt(doc, "Statement").map((s) => {
        if (!isRecord(s)) {
            throw new Error(`a statement is not a mapping: ${JSON.stringify(s)}`);
        }
        return { Effect: s.Effect, Action: s.Action, Resource: s.Resource };
    });
}

function stringList(value: unknown): string[] {
    if (!Array.isArray(value) || !value.every((v): v is string => typeof v === "string")) {
        throw new Error(`expected a list of strings, found ${JSON.stringify(value)}`);
    }
    return value;
}

describe("flyteBucketPolicy", () => {
    const policy = flyteBucketPolicy(["flyte-metadata", "flyte-userdata"]);
    const parsed = statements(policy);

    test("allows bucket-level actions on exactly the two buckets", () => {
        expect(parsed[0]).toEqual({
            Effect: "Allow",
            Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            Resource: ["arn:aws:s3:::flyte-metadata", "arn:aws:s3:::flyte-userdata"],
        });
    });

    test("allows object actions on exactly the objects of the two buckets", () => {
        expect(parsed[1]).toEqual({
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: ["arn:aws:s3:::flyte-metadata/*", "arn:aws:s3:::flyte-userdata/*"],
        });
        expect(parsed).toHaveLength(2);
    });

    test("grants no wildcard action and no wildcard resource, and only Allow", () => {
        for (const statement of parsed) {
            expect(statement.Effect).toBe("Allow");
            for (const action of stringList(statement.Action)) {
                expect(action).toMatch(/^s3:[A-Za-z]+$/);
                expect(action).not.toContain("*");
            }
            for (const resource of stringList(statement.Resource)) {
                expect(resource).not.toBe("*");
                expect(resource).not.toBe("arn:aws:s3:::*");
                expect(resource).toMatch(/^arn:aws:s3:::flyte-(metadata|userdata)(\/\*)?$/);
            }
        }
        expect(policy).not.toContain("s3:*");
    });

    test("names whatever buckets it is given", () => {
        const resources = statements(flyteBucketPolicy(["m1"])).map((s) => s.Resource);
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
        expect(JSON.parse(lines[start + 1])).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "FlyteBuckets",
                    Effect: "Allow",
                    Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                    Resource: ["arn:aws:s3:::meta-b", "arn:aws:s3:::user-b"],
                },
                {
                    Sid: "FlyteObjects",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                    Resource: ["arn:aws:s3:::meta-b/*", "arn:aws:s3:::user-b/*"],
                },
            ],
        });
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

describe("dashboardValues", () => {
    test("the Kong proxy on a NodePort, TLS only", () => {
        expect(at(dashboardValues(30088), "kong", "proxy")).toEqual({ type: "NodePort", http: { enabled: false }, tls: { enabled: true, nodePort: 30088 } });
        expect(at(dashboardValues(31000), "kong", "proxy", "tls", "nodePort")).toBe(31000);
    });

    test("the pinned chart", () => {
        expect(DASHBOARD_CHART).toBe("kubernetes-dashboard");
        expect(DASHBOARD_CHART_VERSION).toBe("7.13.0");
        expect(DASHBOARD_REPOSITORY).toBe("https://kubernetes.github.io/dashboard/");
    });
});

describe("dashboardTaskLogLink", () => {
    test("a kubernetes link to the pod's log view over https on the NodePort", () => {
        expect(dashboardTaskLogLink(30088)).toEqual({
            plugin: "kubernetes",
            templateUri:
                "https://localhost:30088/#/log/{{ .namespace }}/{{ .podName }}/pod?namespace={{ .namespace }}&container={{ .containerName }}",
        });
        expect(dashboardTaskLogLink(32000).templateUri.startsWith("https://localhost:32000/#/log/")).toBe(true);
    });

    test("Flyte's template variables are left unencoded", () => {
        const uri = dashboardTaskLogLink(30088).templateUri;
        expect(uri).not.toContain("%7B");
        expect(uri).not.toContain("%20");
        expect([...new Set(uri.match(/\{\{[^}]*\}\}/g) ?? [])].sort()).toEqual([
            "{{ .containerName }}",
            "{{ .namespace }}",
            "{{ .podName }}",
        ]);
    });
});

describe("localClusterName", () => {
    const kubeconfig = "apiVersion: v1\nkind: Config\ncurrent-context: kind-flyte\n";
    test.each([
        ["k3d-dev", kubeconfig, "k3d-dev"],
        ["", kubeconfig, "kind-flyte"],
        ["", undefined, "local"],
        ["", "", "local"],
        ["", "not: [a kubeconfig", "local"],
    ])("context %j with kubeconfig %j is %s", (context, text, expected) => {
        expect(localClusterName(context, text)).toBe(expected);
    });
});
