import { stringify } from "yaml";

/**
 * A kubeconfig that authenticates with `aws eks get-token` (the credentials of whoever runs it), so it holds no
 * token. Exported as a secret all the same.
 */
export function eksKubeconfig(args: {
    readonly clusterName: string;
    readonly endpoint: string;
    readonly certificateAuthority: string;
    readonly region: string;
}): string {
    const name = args.clusterName;
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: args.endpoint, "certificate-authority-data": args.certificateAuthority } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [
            {
                name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", name, "--region", args.region, "--output", "json"],
                        installHint: "Install the AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html",
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}
