/**
 * Pulumi.gke-sso.yaml: Flyte on its own name over HTTPS inside the VPC (an internal Gateway with a Certificate
 * Manager certificate), users signing in through an OpenID Connect provider, DNS run elsewhere. Each part has its
 * own tests; these check that the stack's plan wires them together: the Gateway on the reserved address with the
 * certificate, the route to the Service Flyte declared, Flyte's authentication for that name, and the outputs.
 */
import { parse } from "yaml";
import { OFFLINE_SECRET_PLACEHOLDER } from "../../components/shared/offlinePlan";
import type { Plan } from "../../lib/plan/runPlan";
import { arrayAt, at, recordAt, stringAt } from "../helpers/json";
import { mocked, ofType, only, stringOutput, transitiveDependencies, stackFileConfig } from "../helpers/plan";
import { sharedPlan } from "../helpers/sharedPlans";

const STACK = "gke-sso";
const config = stackFileConfig(STACK);
const HOST = String(config["flyte:dnsName"]);
const T = {
    cluster: "gcp:container/cluster:Cluster",
    subnet: "gcp:compute/subnetwork:Subnetwork",
    address: "gcp:compute/address:Address",
    certificate: "gcp:certificatemanager/certificate:Certificate",
    authorization: "gcp:certificatemanager/dnsAuthorization:DnsAuthorization",
    recordSet: "gcp:dns/recordSet:RecordSet",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    healthCheck: "kubernetes:networking.gke.io/v1:HealthCheckPolicy",
    service: "kubernetes:core/v1:Service",
    release: "kubernetes:helm.sh/v3:Release",
} as const;

let plan: Plan;
beforeAll(async () => {
    plan = await sharedPlan(STACK);
});

const endpointService = () => only(plan, T.service);

test("the stack file asks for an internal endpoint on its own name, OIDC sign-in and no zone", () => {
    expect(config).toMatchObject({ "flyte:endpointAccess": "internal", "flyte:authentication": "oidc" });
    expect(config["flyte:dnsZone"]).toBeUndefined();
});

test("the cluster serves the Gateway API, and the region has a proxy-only subnet for the internal Gateway", () => {
    expect(only(plan, T.cluster).inputs.gatewayApiConfig).toEqual({ channel: "CHANNEL_STANDARD" });
    const proxyOnly = ofType(plan, T.subnet).filter((s) => s.inputs.purpose === "REGIONAL_MANAGED_PROXY");
    expect(proxyOnly).toHaveLength(1);
    expect(proxyOnly[0].inputs).toMatchObject({ role: "ACTIVE", ipCidrRange: "10.24.0.0/23", region: "europe-west1" });
});

test("one internal Gateway on the reserved address, with the Certificate Manager certificate for the name", () => {
    const gateway = only(plan, T.gateway);
    const address = only(plan, T.address);
    const certificate = only(plan, T.certificate);
    expect(stringAt(gateway.inputs, "spec", "gatewayClassName")).toBe("gke-l7-rilb");
    expect(arrayAt(gateway.inputs, "spec", "addresses")).toEqual([{ type: "NamedAddress", value: address.inputs.name }]);
    expect(address.inputs).toMatchObject({ addressType: "INTERNAL", purpose: "SHARED_LOADBALANCER_VIP", region: "europe-west1" });
    const listeners = arrayAt(gateway.inputs, "spec", "listeners");
    expect(listeners).toHaveLength(1);
    expect(listeners[0]).toMatchObject({
        protocol: "HTTPS",
        port: 443,
        hostname: HOST,
        tls: { mode: "Terminate", options: { "networking.gke.io/cert-manager-certs": certificate.inputs.name } },
    });
    // A regional certificate for exactly this name, authorized through DNS.
    expect(certificate.inputs).toMatchObject({ location: "europe-west1", managed: { domains: [HOST] } });
    expect(at(certificate.inputs, "managed", "dnsAuthorizations")).toEqual([mocked(only(plan, T.authorization)).id]);
    // The Gateway is created once what it names exists.
    const waitsOn = transitiveDependencies(plan, gateway);
    for (const r of [address, certificate]) {
        expect(waitsOn.has(r.urn)).toBe(true);
    }
});

test("the route sends gRPC to the Service's h2c port and the rest to its HTTP port, on the name", () => {
    const service = endpointService();
    const route = only(plan, T.route);
    const serviceName = stringAt(service.inputs, "metadata", "name");
    expect(at(service.inputs, "spec", "type")).toBe("ClusterIP");
    const ports = arrayAt(service.inputs, "spec", "ports") as { name: string; port: number; appProtocol?: string }[];
    const port = (name: string) => ports.find((p) => p.name === name);
    expect(port("grpc")?.appProtocol).toBe("kubernetes.io/h2c");
    expect(arrayAt(route.inputs, "spec", "hostnames")).toEqual([HOST]);
    expect(recordAt(route.inputs, "metadata").namespace).toBe(recordAt(service.inputs, "metadata").namespace);
    const rules = arrayAt(route.inputs, "spec", "rules") as { matches: { path: { value: string } }[]; backendRefs: { name: string; port: number }[] }[];
    expect(rules.map((r) => r.backendRefs)).toEqual([[{ kind: "Service", name: serviceName, port: port("grpc")?.port }], [{ kind: "Service", name: serviceName, port: port("http")?.port }]]);
    expect(rules[0].matches.map((m) => m.path.value)).toContain("/flyteidl.service.AdminService");
    expect(rules[1].matches.map((m) => m.path.value)).toEqual(["/"]);
    expect(at(only(plan, T.healthCheck).inputs, "spec", "targetRef", "name")).toBe(serviceName);
    // Nothing is exposed on an L4 load balancer any more.
    expect(ofType(plan, T.service).filter((s) => at(s.inputs, "spec", "type") === "LoadBalancer")).toEqual([]);
});

test("Flyte authenticates users through the configured provider, for the public URL first", () => {
    const auth = recordAt(only(plan, T.release).inputs, "values", "configuration", "auth");
    expect(auth).toMatchObject({
        enabled: true,
        enableAuthServer: true,
        oidc: { baseUrl: config["flyte:oidcIssuerUrl"], clientId: config["flyte:oidcClientId"] },
    });
    expect(arrayAt(auth, "authorizedUris")[0]).toBe(`https://${HOST}`);
    // The clients' secrets come from a Secret the program declares, as a Pulumi secret; the chart's values hold no
    // secret at all (the plan would show one as the placeholder).
    const secret = ofType(plan, "kubernetes:core/v1:Secret").find((s) => at(s.inputs, "metadata", "name") === auth.clientSecretsExternalSecretRef);
    expect(secret?.inputs.stringData).toBe("[secret]");
    expect(JSON.stringify(only(plan, T.release).inputs)).not.toContain(OFFLINE_SECRET_PLACEHOLDER);
});

test("without a zone, nothing is written to DNS and the outputs list the two records to create", () => {
    expect(ofType(plan, T.recordSet)).toEqual([]);
    const records = plan.outputs.dnsRecordsToCreate as string[];
    const authorization = mocked(only(plan, T.authorization)).state.dnsResourceRecords as { name: string; type: string; data: string }[];
    expect(records).toEqual([
        `${authorization[0].name} CNAME ${authorization[0].data}`,
        `${HOST}. A ${String(mocked(only(plan, T.address)).state.address)}`,
    ]);
});

test("clients reach https://<name> and gRPC on 443, signing in with PKCE", () => {
    expect(stringOutput(plan, "httpEndpoint")).toBe(`https://${HOST}`);
    expect(stringOutput(plan, "grpcEndpoint")).toBe(`${HOST}:443`);
    expect(parse(stringOutput(plan, "flytectlConfig"))).toMatchObject({ admin: { endpoint: `dns:///${HOST}`, insecure: false, authType: "Pkce" } });
    expect(plan.outputs.oidcRedirectUris).toEqual([`https://${HOST}/callback`]);
    expect(plan.outputs.ciClientSecret).toBe("[secret]");
});

describe("notifications through Pub/Sub and SendGrid, execution events on a topic", () => {
    const inline = () => recordAt(only(plan, T.release).inputs, "values", "configuration", "inline");
    const topic = (name: string) => ofType(plan, "gcp:pubsub/topic:Topic").find((t) => t.name === name);

    test("flyteadmin publishes to the notifications topic and consumes flyteadmin's subscription on it, in the stack's project", () => {
        const notifications = recordAt(inline(), "notifications");
        const subscription = ofType(plan, "gcp:pubsub/subscription:Subscription").find((s) => s.name === "gcp-messaging-notifications");
        expect(notifications).toMatchObject({
            type: "gcp",
            gcp: { projectId: config["gcp:project"] },
            publisher: { topicName: topic("gcp-messaging-notifications")?.inputs.name },
            processor: { queueName: subscription?.inputs.name },
            emailer: { sender: config["flyte:notificationsSender"], emailServerConfig: { serviceName: "sendgrid" } },
        });
        expect(subscription?.inputs.topic).toBe(topic("gcp-messaging-notifications")?.inputs.name);
    });

    test("the SendGrid key is read from a file of a Secret, never from the values", () => {
        const path = stringAt(inline(), "notifications", "emailer", "emailServerConfig", "apiKeyFilePath");
        expect(path.startsWith("/etc/flyte/email-credentials/")).toBe(true);
        const secrets = ofType(plan, "kubernetes:core/v1:Secret").filter((s) => String(at(s.inputs, "metadata", "name")).endsWith("email-credentials"));
        expect(secrets).toHaveLength(1);
        expect(secrets[0].inputs.stringData).toBe("[secret]");
    });

    test("execution events go to their own topic, which the stack exports for other teams", () => {
        const events = topic("gcp-messaging-events");
        expect(recordAt(inline(), "externalEvents")).toMatchObject({ enable: true, type: "gcp", eventsPublisher: { topicName: events?.inputs.name } });
        expect(plan.outputs.executionEventsTopic).toBe(`projects/${String(config["gcp:project"])}/topics/${String(events?.inputs.name)}`);
    });

    test("the release waits for the topics, the subscription and flyteadmin's grants on them", () => {
        const waitsOn = transitiveDependencies(plan, only(plan, T.release));
        const messaging = plan.resources.filter((r) => /^gcp:pubsub\//.test(r.type) && !/dead-letter|pubsub-agent/.test(r.name));
        expect(messaging.length).toBeGreaterThanOrEqual(6);
        expect(messaging.filter((r) => !waitsOn.has(r.urn)).map((r) => r.name)).toEqual([]);
    });
});
