import { parse as parseYaml } from "yaml";
import { gkeKubeconfig } from "../../../components/gcp/kubeconfig";
import { allKeys, at } from "../../helpers/json";

/** The GKE cluster's kubeconfig (components/gcp/kubeconfig.ts): gke-gcloud-auth-plugin, no credential in it. */

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
        expect(at(withCa, "clusters", 0, "cluster")).toEqual({
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
