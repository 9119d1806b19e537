import { parse as parseYaml } from "yaml";
import { flyteEndpoints, flytectlConfig } from "../components/flyte/endpoints";
import { cloudLoggingTaskLogLink } from "../components/gcp/cloudLogging";
import {
    BUCKET_ROLES,
    bucketGrants,
    roleSlug,
    serviceAccountMember,
    SIGN_BLOB_ROLE,
    WORKLOAD_IDENTITY_USER_ROLE,
    workloadIdentityMember,
} from "../components/gcp/iam";
import { gkeInternalLoadBalancerAnnotations } from "../components/gcp/internalLoadBalancer";
import { gkeKubeconfig } from "../components/gcp/kubeconfig";

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(value: unknown, ...path: (string | number)[]): unknown {
    let current = value;
    for (const key of path) {
        if (typeof key === "number") {
            current = Array.isArray(current) ? current[key] : undefined;
        } else {
            current = isRecord(current) ? current[key] : undefined;
        }
    }
    return current;
}

/** Every key anywhere in a parsed document. */
function allKeys(value: unknown): string[] {
    if (Array.isArray(value)) {
        return value.flatMap(allKeys);
    }
    if (isRecord(value)) {
        return Object.entries(value).flatMap(([k, v]) => [k, ...allKeys(v)]);
    }
    return [];
}

describe("gkeKubeconfig", () => {
    const base = {
        project: "acme-flyte-dev",
        location: "europe-west1-b",
        clusterName: "flyte-dev",
        endpoint: "gke-0123456789abcdef.europe-west1.gke.goog",
    };
    const context = "gke_acme-flyte-dev_europe-west1-b_flyte-dev";

    test("a complete kubeconfig using gke-gcloud-auth-plugin", () => {
        const doc: unknown = parseYaml(gkeKubeconfig(base));
        expect(doc).toEqual({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: context, cluster: { server: "https://gke-0123456789abcdef.europe-west1.gke.goog" } }],
            contexts: [{ name: context, context: { cluster: context, user: context } }],
            "current-context": context,
            users: [
                {
                    name: context,
                    user: {
                        exec: {
                            apiVersion: "client.authentication.k8s.io/v1beta1",
                            command: "gke-gcloud-auth-plugin",
                            installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                            provideClusterInfo: true,
                            interactiveMode: "Never",
                        },
                    },
                },
            ],
        });
    });

    test("the CA bundle is present only when given", () => {
        const withCa: unknown = parseYaml(gkeKubeconfig({ ...base, endpoint: "34.1.2.3", caCertificate: "LS0tLS1CRUdJTg==" }));
        expect(field(withCa, "clusters", 0, "cluster")).toEqual({
            server: "https://34.1.2.3",
            "certificate-authority-data": "LS0tLS1CRUdJTg==",
        });
        const without: unknown = parseYaml(gkeKubeconfig(base));
        expect(allKeys(without)).not.toContain("certificate-authority-data");
        const empty: unknown = parseYaml(gkeKubeconfig({ ...base, caCertificate: "" }));
        expect(allKeys(empty)).not.toContain("certificate-authority-data");
    });

    test("holds no credentials", () => {
        for (const text of [gkeKubeconfig(base), gkeKubeconfig({ ...base, caCertificate: "LS0t" })]) {
            expect(text).not.toMatch(/token/i);
            const keys = allKeys(parseYaml(text));
            for (const forbidden of ["token", "client-key-data", "client-certificate-data", "password", "username", "auth-provider"]) {
                expect(keys).not.toContain(forbidden);
            }
        }
    });
});

describe("IAM", () => {
    test("bucket roles", () => {
        expect(BUCKET_ROLES).toEqual(["roles/storage.objectAdmin", "roles/storage.legacyBucketReader"]);
        expect(SIGN_BLOB_ROLE).toBe("roles/iam.serviceAccountTokenCreator");
        expect(WORKLOAD_IDENTITY_USER_ROLE).toBe("roles/iam.workloadIdentityUser");
    });

    test("bucketGrants: shared access is the bucket roles on exactly the buckets asked for, nothing else", () => {
        const both = bucketGrants({ kind: "shared", metadata: true, userData: true }, []);
        expect(both.map((g) => `${g.bucket.kind} ${g.role}`).sort()).toEqual([
            "metadata roles/storage.legacyBucketReader",
            "metadata roles/storage.objectAdmin",
            "userData roles/storage.legacyBucketReader",
            "userData roles/storage.objectAdmin",
        ]);
        for (const grant of both) {
            expect(grant.prefixes).toBeUndefined();
            expect(grant.role).not.toBe("roles/storage.admin");
            expect(grant.role.startsWith("roles/storage.")).toBe(true);
        }
        expect(bucketGrants({ kind: "shared", metadata: true, userData: false }, []).map((g) => g.bucket.kind)).toEqual([
            "metadata",
            "metadata",
        ]);
        expect(bucketGrants({ kind: "none" }, ["x"])).toEqual([]);
    });

    test("workloadIdentityMember", () => {
        expect(workloadIdentityMember("acme-flyte-dev.svc.id.goog", { namespace: "flyte", name: "flyte-binary" })).toBe(
            "serviceAccount:acme-flyte-dev.svc.id.goog[flyte/flyte-binary]",
        );
        expect(
            workloadIdentityMember("p1-x.svc.id.goog", { namespace: "flytesnacks-development", name: "default" }),
        ).toBe("serviceAccount:p1-x.svc.id.goog[flytesnacks-development/default]");
    });

    test("serviceAccountMember", () => {
        expect(serviceAccountMember("a@b.iam.gserviceaccount.com")).toBe("serviceAccount:a@b.iam.gserviceaccount.com");
    });

    test.each([
        ["roles/storage.objectAdmin", "storage-objectAdmin"],
        ["roles/storage.legacyBucketReader", "storage-legacyBucketReader"],
        ["roles/iam.serviceAccountTokenCreator", "iam-serviceAccountTokenCreator"],
        ["roles/iam.workloadIdentityUser", "iam-workloadIdentityUser"],
        ["roles/container.nodeServiceAccount", "container-nodeServiceAccount"],
        ["roles/a.b.c", "a-b-c"],
    ])("roleSlug(%s) = %s", (role, slug) => {
        expect(roleSlug(role)).toBe(slug);
    });
});

describe("cloudLoggingTaskLogLink", () => {
    const link = cloudLoggingTaskLogLink({ project: "acme-flyte-dev", location: "europe-west1-b", clusterName: "flyte-dev" });
    const VARIABLES = ["{{ .namespace }}", "{{ .podName }}", "{{ .containerName }}"];

    test("is a stackdriver link into the Logs Explorer of the project", () => {
        expect(link.plugin).toBe("stackdriver");
        expect(link.templateUri.startsWith("https://console.cloud.google.com/logs/query;query=")).toBe(true);
        expect(link.templateUri.endsWith("?project=acme-flyte-dev")).toBe(true);
    });

    test("names project, cluster and location and keeps Flyte's variables readable", () => {
        for (const text of ["acme-flyte-dev", "europe-west1-b", "flyte-dev", ...VARIABLES]) {
            expect(link.templateUri).toContain(text);
        }
        for (const variable of VARIABLES) {
            expect(link.templateUri.split(variable)).toHaveLength(2);
        }
    });

    test("has no raw spaces, quotes or line breaks outside the variables", () => {
        let rest = link.templateUri;
        for (const variable of VARIABLES) {
            rest = rest.split(variable).join("");
        }
        expect(rest).not.toMatch(/[\s"'<>]/);
    });

    test("the query decodes to the filter lines", () => {
        const match = /;query=(.*)\?project=/.exec(link.templateUri);
        expect(match).not.toBeNull();
        const query = match ? match[1] : "";
        expect(decodeURIComponent(query).split("\n")).toEqual([
            'resource.type="k8s_container"',
            'resource.labels.project_id="acme-flyte-dev"',
            'resource.labels.location="europe-west1-b"',
            'resource.labels.cluster_name="flyte-dev"',
            'resource.labels.namespace_name="{{ .namespace }}"',
            'resource.labels.pod_name="{{ .podName }}"',
            'resource.labels.container_name="{{ .containerName }}"',
        ]);
    });

    test("a regional cluster is filtered by its region", () => {
        const regional = cloudLoggingTaskLogLink({ project: "p-123456", location: "us-central1", clusterName: "c1" });
        expect(decodeURIComponent(regional.templateUri)).toContain('resource.labels.location="us-central1"');
        expect(regional.templateUri.endsWith("?project=p-123456")).toBe(true);
    });
});

describe("gkeInternalLoadBalancerAnnotations", () => {
    test("internal, in the given subnet, regional access by default", () => {
        expect(gkeInternalLoadBalancerAnnotations({ subnetName: "flyte-dev-nodes", globalAccess: false })).toEqual({
            "networking.gke.io/load-balancer-type": "Internal",
            "networking.gke.io/internal-load-balancer-subnet": "flyte-dev-nodes",
        });
    });

    test("global access only when asked", () => {
        expect(gkeInternalLoadBalancerAnnotations({ subnetName: "s", globalAccess: true })).toEqual({
            "networking.gke.io/load-balancer-type": "Internal",
            "networking.gke.io/internal-load-balancer-subnet": "s",
            "networking.gke.io/internal-load-balancer-allow-global-access": "true",
        });
    });
});

describe("flyteEndpoints and flytectlConfig", () => {
    test("endpoints from the load balancer's address", () => {
        const endpoints = flyteEndpoints("10.0.0.20");
        expect(endpoints.grpcEndpoint).toBe("10.0.0.20:8089");
        expect(endpoints.httpEndpoint).toBe("http://10.0.0.20:8088");
        expect(endpoints.consoleUrl).toBe("http://10.0.0.20:8088/console");
        expect(endpoints.flytectlConfig).toBe(flytectlConfig("10.0.0.20:8089"));
    });

    test("the flytectl config is YAML with a plaintext dns:/// gRPC endpoint", () => {
        const doc: unknown = parseYaml(flyteEndpoints("flyte.internal.example").flytectlConfig);
        expect(field(doc, "admin", "endpoint")).toBe("dns:///flyte.internal.example:8089");
        expect(field(doc, "admin", "insecure")).toBe(true);
        expect(doc).toEqual({
            admin: { endpoint: "dns:///flyte.internal.example:8089", insecure: true },
            logger: { "show-source": true, level: 0 },
        });
    });
});
