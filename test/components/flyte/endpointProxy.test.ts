import * as k8s from "@pulumi/kubernetes";
import { EndpointProxy, endpointProxyConfig, endpointProxySelector, ProxyUpstreams } from "../../../components/flyte/endpointProxy";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { isK8sObject, K8sObject, mountContaining, podContainer, podVolume, selects } from "../../helpers/helm";
import { byName, only } from "../../helpers/plan";
import { arrayAt, at, recordAt, stringMapAt } from "../../helpers/json";

/** EndpointProxy on its own: the nginx ConfigMap and Deployment in front of flyte-core's Services. */

const UPSTREAMS: ProxyUpstreams = {
    namespace: "orchestration",
    admin: { service: "flyteadmin", httpPort: 80, grpcPort: 81 },
    console: { service: "flyteconsole", httpPort: 80 },
};
const IMAGE = "docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine";
let plan: Plan;

beforeAll(async () => {
    plan = await runComponents(() => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const namespace = new k8s.core.v1.Namespace("ns", { metadata: { name: "orchestration" } }, { provider });
        const release = new k8s.helm.v3.Release("flyte-release", { chart: "flyte-core", name: "flyte-core" }, { provider });
        new EndpointProxy("proxy", {
            namespace: namespace.metadata.name,
            upstreams: UPSTREAMS,
            image: IMAGE,
            replicas: 3,
            labels: { team: "ml", "app.kubernetes.io/part-of": "flyte" },
            provider,
            release,
        });
        return {};
    });
});

const configMap = () => only(plan, "kubernetes:core/v1:ConfigMap");
const deployment = () => only(plan, "kubernetes:apps/v1:Deployment");
/** The Deployment's inputs as a Kubernetes object, for the pod readers. */
function deploymentObject(): K8sObject {
    const inputs: unknown = deployment().inputs;
    if (!isK8sObject(inputs)) {
        throw new Error(`the Deployment's inputs are not a Kubernetes object: ${JSON.stringify(inputs)}`);
    }
    return inputs;
}
const container = () => podContainer(deploymentObject(), "nginx");
const urn = (type: string, name: string) => byName(plan, type, name).urn;

test("a ConfigMap and a Deployment under the component, on the given provider", () => {
    const children = childrenOf(plan, component(plan, "flyte:flyte:EndpointProxy"));
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual([
        "kubernetes:apps/v1:Deployment proxy-deployment",
        "kubernetes:core/v1:ConfigMap proxy-config",
    ]);
    const provider = byName(plan, "pulumi:providers:kubernetes", "cluster");
    for (const child of children) {
        expect(child.provider.startsWith(`${provider.urn}::`)).toBe(true);
        expect(at(child.inputs, "metadata", "namespace")).toBe("orchestration");
    }
});

test("the ConfigMap holds nginx.conf for the given upstreams, and nothing else", () => {
    expect(at(configMap().inputs, "data")).toEqual({ "nginx.conf": endpointProxyConfig(UPSTREAMS) });
    // Auto-named, so that a new config replaces it and rolls the pods.
    expect(at(configMap().inputs, "metadata", "name")).toBeUndefined();
    expect(configMap().dependencies).toEqual([urn("kubernetes:core/v1:Namespace", "ns")]);
});

test("the Deployment starts once the release (and so the upstream Services) exists, and reads the ConfigMap", () => {
    expect(deployment().dependencies).toEqual(
        [urn("kubernetes:core/v1:Namespace", "ns"), urn("kubernetes:helm.sh/v3:Release", "flyte-release"), configMap().urn].sort(),
    );
});

test("labels: the caller's plus the selector, on every object and pod; the selector alone matches", () => {
    const selector = endpointProxySelector();
    const labels = { team: "ml", "app.kubernetes.io/part-of": "flyte", ...selector };
    expect(at(configMap().inputs, "metadata", "labels")).toEqual(labels);
    expect(at(deployment().inputs, "metadata", "labels")).toEqual(labels);
    expect(at(deployment().inputs, "spec", "template", "metadata", "labels")).toEqual(labels);
    expect(at(deployment().inputs, "spec", "selector")).toEqual({ matchLabels: selector });
    expect(selects(selector, stringMapAt(deployment().inputs, "spec", "template", "metadata", "labels"))).toBe(true);
});

test("replicas as given, spread over nodes", () => {
    expect(at(deployment().inputs, "metadata", "name")).toBe("flyte-endpoint-proxy");
    expect(at(deployment().inputs, "spec", "replicas")).toBe(3);
    const anti = arrayAt(deployment().inputs, "spec", "template", "spec", "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution");
    expect(anti).toHaveLength(1);
    expect(at(anti[0], "podAffinityTerm", "topologyKey")).toBe("kubernetes.io/hostname");
    expect(at(anti[0], "podAffinityTerm", "labelSelector", "matchLabels")).toEqual(endpointProxySelector());
});

test("nginx reads its config from the ConfigMap's volume, in the foreground", () => {
    const args = arrayAt(container(), "args").map(String);
    expect(container().image).toBe(IMAGE);
    expect(args.slice(0, 1)).toEqual(["nginx"]);
    const confPath = args[args.indexOf("-c") + 1];
    expect(args).toContain("daemon off;");
    const { mount, relative } = mountContaining(container(), confPath);
    expect(relative).toBe("nginx.conf");
    expect(Object.keys(stringMapAt(configMap().inputs, "data"))).toContain(relative);
    const volume = podVolume(deploymentObject(), mount.name);
    // The name is the ConfigMap's auto-name (unknown to the mocks); the dependency above shows it is read from it.
    expect(Object.keys(volume).sort()).toEqual(["configMap", "name"]);
    const mounts = arrayAt(container(), "volumeMounts");
    expect(mounts.find((m) => at(m, "name") === mount.name)).toMatchObject({ readOnly: true });
});

test("a writable /tmp for nginx's temp files and pid, nothing else writable", () => {
    const { mount } = mountContaining(container(), "/tmp/nginx.pid");
    expect(mount.mountPath).toBe("/tmp");
    expect(podVolume(deploymentObject(), mount.name)).toEqual({ name: mount.name, emptyDir: {} });
    expect(arrayAt(container(), "volumeMounts")).toHaveLength(2);
});

test("unprivileged: non-root, no privilege escalation, read-only root filesystem, no capabilities, no token", () => {
    const pod = recordAt(deployment().inputs, "spec", "template", "spec");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(container().securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
    });
    expect(arrayAt(pod, "containers")).toHaveLength(1);
});

test("named ports http 8088 and grpc 8089; ready when /healthz answers", () => {
    expect(container().ports).toEqual([
        { name: "http", containerPort: 8088 },
        { name: "grpc", containerPort: 8089 },
    ]);
    expect(at(container(), "readinessProbe", "httpGet")).toEqual({ path: "/healthz", port: "http" });
    expect(at(container(), "livenessProbe", "tcpSocket")).toEqual({ port: "http" });
    expect(at(container(), "resources", "limits", "memory")).toBeDefined();
});
