import { parse } from "yaml";
import { eksKubeconfig } from "../../../components/aws/kubeconfig";
import { arrayAt, at, isRecord } from "../../helpers/json";

/** The EKS cluster's kubeconfig (components/aws/kubeconfig.ts): aws eks get-token, no credential in it. */

describe("eksKubeconfig", () => {
    const text = eksKubeconfig({
        clusterName: "flyte-dev",
        endpoint: "https://ABCDEF.gr7.eu-central-1.eks.amazonaws.com",
        certificateAuthority: "bW9jay1jYQ==",
        region: "eu-central-1",
    });
    const kubeconfig: unknown = parse(text);

    test("one cluster, context and user, all named after the cluster, with its endpoint and CA", () => {
        expect(at(kubeconfig, "apiVersion")).toBe("v1");
        expect(at(kubeconfig, "kind")).toBe("Config");
        expect(at(kubeconfig, "current-context")).toBe("flyte-dev");
        expect(at(kubeconfig, "clusters")).toEqual([
            {
                name: "flyte-dev",
                cluster: {
                    server: "https://ABCDEF.gr7.eu-central-1.eks.amazonaws.com",
                    "certificate-authority-data": "bW9jay1jYQ==",
                },
            },
        ]);
        expect(at(kubeconfig, "contexts")).toEqual([{ name: "flyte-dev", context: { cluster: "flyte-dev", user: "flyte-dev" } }]);
        expect(arrayAt(kubeconfig, "users")).toHaveLength(1);
        expect(at(kubeconfig, "users", 0, "name")).toBe("flyte-dev");
    });

    test("authenticates with aws eks get-token for this cluster and region, non-interactively", () => {
        const exec = at(kubeconfig, "users", 0, "user", "exec");
        expect(at(exec, "apiVersion")).toBe("client.authentication.k8s.io/v1beta1");
        expect(at(exec, "command")).toBe("aws");
        expect(at(exec, "args")).toEqual([
            "eks",
            "get-token",
            "--cluster-name",
            "flyte-dev",
            "--region",
            "eu-central-1",
            "--output",
            "json",
        ]);
        expect(at(exec, "interactiveMode")).toBe("Never");
    });

    test("holds no credential: no token, client key or password", () => {
        const user = at(kubeconfig, "users", 0, "user");
        expect(isRecord(user) ? Object.keys(user) : []).toEqual(["exec"]);
        expect(text).not.toMatch(/token:|client-key|client-certificate|password/);
    });

    test("follows the region", () => {
        const gov = parse(
            eksKubeconfig({ clusterName: "c", endpoint: "https://x", certificateAuthority: "Y2E=", region: "us-gov-west-1" }),
        ) as unknown;
        expect(at(gov, "users", 0, "user", "exec", "args")).toEqual([
            "eks",
            "get-token",
            "--cluster-name",
            "c",
            "--region",
            "us-gov-west-1",
            "--output",
            "json",
        ]);
    });
});
