import { stringify } from "yaml";

export interface GkeKubeconfigInput {
    readonly project: string;
    readonly location: string;
    readonly clusterName: string;
    /** Host name or IP of the control plane endpoint, without scheme. */
    readonly endpoint: string;
    /** Base64 CA bundle; omitted for the DNS endpoint, which serves a publicly trusted certificate. */
    readonly caCertificate?: string;
}

/**
 * A kubeconfig that authenticates with gke-gcloud-auth-plugin (the credentials of whoever runs it), so it holds
 * no token. It is still exported as a secret: it names the endpoint of a private control plane.
 */
export function gkeKubeconfig(input: GkeKubeconfigInput): string {
    const context = `gke_${input.project}_${input.location}_${input.clusterName}`;
    const cluster: Record<string, string> = { server: `https://${input.endpoint}` };
    if (input.caCertificate) {
        cluster["certificate-authority-data"] = input.caCertificate;
    }
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: context, cluster }],
        contexts: [{ name: context, context: { cluster: context, user: context } }],
        "current-context": context,
        users: [
            {
                name: context,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "gke-gcloud-auth-plugin",
                        installHint:
                            "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                        provideClusterInfo: true,
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}
