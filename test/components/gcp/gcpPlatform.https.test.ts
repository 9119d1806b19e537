import { commonPlatformArgs } from "../../../components/contract/platform";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AuthenticationConfig, GcpStackConfig, HttpsConfig } from "../../../components/contract/config";
import { flyteWorkloads } from "../../../components/contract/identities";
import { GcpPlatform, gcpSignIn } from "../../../components/gcp/gcpPlatform";
import { gcpNames } from "../../../components/gcp/names";
import type { Plan } from "../../../lib/plan/runPlan";
import { component, runComponents } from "../../helpers/components";
import { gcpStackConfig } from "../../helpers/config";
import { at } from "../../helpers/json";
import { byName, ofType, only, transitiveDependencies } from "../../helpers/plan";

/**
 * GcpPlatform with and without Flyte's HTTPS endpoint: what it adds for an internal or a public Gateway, what it
 * hands the Flyte layer (the exposure, the sign-in), and that without `https` none of it exists.
 */

const OIDC: AuthenticationConfig = {
    mode: "oidc",
    issuerUrl: "https://example.okta.com/oauth2/default",
    clientId: "0oa1flyte",
    clientSecret: "oidc-client-secret-value",
    scopes: ["openid", "profile", "email"],
};

const config = gcpStackConfig({ "flyte:loadBalancerGlobalAccess": "true" });
const names = gcpNames({ pulumiProject: "flyte", stack: "test", gcpProject: config.gcp.project });

/** The new resource types an HTTPS endpoint brings. */
const HTTPS_TYPES = [
    "flyte:gcp:HttpsGateway",
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization",
    "gcp:certificatemanager/certificate:Certificate",
    "gcp:certificatemanager/certificateMap:CertificateMap",
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
    "gcp:compute/regionSslPolicy:RegionSslPolicy",
    "gcp:compute/sSLPolicy:SSLPolicy",
    "gcp:dns/recordSet:RecordSet",
    "kubernetes:gateway.networking.k8s.io/v1:Gateway",
];

function planPlatform(stack: GcpStackConfig, https: HttpsConfig | undefined, authentication: AuthenticationConfig, attach = false): Promise<Plan> {
    return runComponents(() => {
        const platform = new GcpPlatform("gcp", {
            ...commonPlatformArgs(stack, flyteWorkloads(stack.flyte)),
            config: stack.gcp,
            https,
            authentication,
        });
        const exposure = platform.exposure;
        if (attach && exposure.kind === "https") {
            const provider = platform.kubernetesProvider;
            const flyte = new pulumi.ComponentResource("test:flyte:Flyte", "flyte", {});
            const service = new k8s.core.v1.Service("endpoint", { metadata: { name: "flyte-binary-https", namespace: "flyte" }, spec: { type: "ClusterIP" } }, { parent: flyte, provider });
            exposure.attach({ namespace: service.metadata.namespace, name: service.metadata.name, httpPort: 8088, grpcPort: 8089 }, { parent: flyte, provider });
        }
        return {
            exposureKind: exposure.kind,
            ...(exposure.kind === "https"
                ? { hostname: exposure.hostname, grpcAppProtocol: exposure.grpcAppProtocol, dnsRecordsToCreate: exposure.dnsRecordsToCreate }
                : {}),
            ...(exposure.kind === "loadBalancer" ? { loadBalancerHost: exposure.host } : {}),
            signIn: platform.signIn
                ? { issuerUrl: platform.signIn.issuerUrl, clientId: platform.signIn.clientId, clientSecret: platform.signIn.clientSecret, scopes: platform.signIn.scopes }
                : "none",
        };
    });
}

const services = (plan: Plan) => ofType(plan, "gcp:projects/service:Service").map((s) => String(s.inputs.service));
const cluster = (plan: Plan) => only(plan, "gcp:container/cluster:Cluster");

describe("without an HTTPS endpoint (every existing stack)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform(config, undefined, { mode: "none" });
    });

    test("none of the HTTPS endpoint's resources exist", () => {
        for (const type of HTTPS_TYPES) {
            expect([type, ofType(plan, type).length]).toEqual([type, 0]);
        }
        expect(ofType(plan, "gcp:compute/subnetwork:Subnetwork").map((s) => s.inputs.name)).toEqual([names.subnet]);
        // Cloud SQL's private services range is the one global address; the webhook rule the one firewall rule.
        expect(ofType(plan, "gcp:compute/globalAddress:GlobalAddress").map((a) => a.inputs.name)).toEqual([names.privateServicesRange]);
        expect(ofType(plan, "gcp:compute/firewall:Firewall").map((f) => f.name)).toEqual(["gcp-gke-webhooks"]);
        expect(services(plan)).not.toContain("certificatemanager.googleapis.com");
        expect(services(plan)).not.toContain("dns.googleapis.com");
        expect(cluster(plan).inputs.gatewayApiConfig).toBeUndefined();
        expect(at(cluster(plan).inputs, "addonsConfig")).toEqual({ gcePersistentDiskCsiDriverConfig: { enabled: true } });
    });

    test("Flyte is exposed on the internal passthrough load balancer's reserved address, without sign-in", () => {
        const address = byName(plan, "gcp:compute/address:Address", "gcp-ilb-address");
        expect(address.inputs).toMatchObject({ name: names.loadBalancerAddress, purpose: "GCE_ENDPOINT" });
        expect(ofType(plan, "gcp:compute/address:Address")).toHaveLength(1);
        expect(plan.outputs).toMatchObject({ exposureKind: "loadBalancer", loadBalancerHost: "10.0.0.10", signIn: "none" });
    });
});

describe("internal HTTPS endpoint with OIDC sign-in, no zone", () => {
    const https: HttpsConfig = { dnsName: "flyte.ml.example.com", dnsZone: "", access: "internal" };
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform(config, https, OIDC, true);
    });

    test("the network gets the proxy-only subnet and its firewall rule, the cluster the Gateway API", () => {
        const proxyOnly = ofType(plan, "gcp:compute/subnetwork:Subnetwork").find((s) => s.inputs.purpose === "REGIONAL_MANAGED_PROXY");
        expect(proxyOnly?.inputs).toMatchObject({ name: names.proxyOnlySubnet, ipCidrRange: config.gcp.network.proxyOnlySubnetCidr, role: "ACTIVE" });
        const firewall = byName(plan, "gcp:compute/firewall:Firewall", "gcp-network-proxy-only-to-pods");
        expect(firewall.inputs).toMatchObject({ sourceRanges: [config.gcp.network.proxyOnlySubnetCidr], destinationRanges: [config.gcp.network.podsCidr], allows: [{ protocol: "tcp", ports: ["8088", "8089"] }] });
        expect(at(cluster(plan).inputs, "gatewayApiConfig")).toEqual({ channel: "CHANNEL_STANDARD" });
    });

    test("Certificate Manager is enabled, Cloud DNS is not; the passthrough load balancer's address is not reserved", () => {
        expect(services(plan)).toContain("certificatemanager.googleapis.com");
        expect(services(plan)).not.toContain("dns.googleapis.com");
        expect(ofType(plan, "gcp:compute/address:Address").map((a) => a.inputs.name)).toEqual([names.gatewayAddress]);
        expect(component(plan, "flyte:gcp:HttpsGateway").parent).toBe(component(plan, "flyte:gcp:GcpPlatform").urn);
    });

    test("the exposure is the Gateway's; the stack lists the records to create", () => {
        expect(plan.outputs).toMatchObject({ exposureKind: "https", hostname: "flyte.ml.example.com", grpcAppProtocol: "kubernetes.io/h2c" });
        expect((plan.outputs.dnsRecordsToCreate as { type: string }[]).map((r) => r.type)).toEqual(["CNAME", "A"]);
    });

    test("the Gateway it attaches is internal, uses the platform's global access, and waits for the proxy-only subnet and its firewall rule", () => {
        const gateway = only(plan, "kubernetes:gateway.networking.k8s.io/v1:Gateway");
        expect(at(gateway.inputs, "spec", "gatewayClassName")).toBe("gke-l7-rilb");
        const waits = transitiveDependencies(plan, gateway);
        for (const name of ["gcp-network-proxy-only", "gcp-network-proxy-only-to-pods"]) {
            expect([name, [...waits].some((urn) => urn.endsWith(`::${name}`))]).toEqual([name, true]);
        }
        expect(at(only(plan, "kubernetes:networking.gke.io/v1:GCPGatewayPolicy").inputs, "spec", "default", "allowGlobalAccess")).toBe(true);
        // The cluster's provider: the Gateway API is enabled on that cluster.
        expect(gateway.provider.startsWith(`${byName(plan, "pulumi:providers:kubernetes", "gcp-gke-k8s").urn}::`)).toBe(true);
    });

    test("sign-in is the team's OIDC provider, the client secret a Pulumi secret", () => {
        expect(plan.outputs.signIn).toEqual({
            issuerUrl: "https://example.okta.com/oauth2/default",
            clientId: "0oa1flyte",
            clientSecret: "[secret]",
            scopes: ["openid", "profile", "email"],
        });
        expect(JSON.stringify(plan.resources)).not.toContain("oidc-client-secret-value");
    });
});

describe("public HTTPS endpoint with OIDC sign-in, records in a zone", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform(config, { dnsName: "flyte.example.com", dnsZone: "example-com", access: "public" }, OIDC);
    });

    test("no proxy-only subnet; a global address, a certificate map, records written to the zone with the DNS API enabled", () => {
        expect(ofType(plan, "gcp:compute/subnetwork:Subnetwork").map((s) => s.inputs.name)).toEqual([names.subnet]);
        expect(ofType(plan, "gcp:compute/firewall:Firewall").map((f) => f.name)).toEqual(["gcp-gke-webhooks"]);
        expect(ofType(plan, "gcp:compute/address:Address")).toEqual([]);
        expect(byName(plan, "gcp:compute/globalAddress:GlobalAddress", "gcp-https-address").inputs).toMatchObject({ name: names.gatewayAddress, addressType: "EXTERNAL" });
        expect(ofType(plan, "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry")).toHaveLength(1);
        expect(ofType(plan, "gcp:dns/recordSet:RecordSet").map((r) => r.inputs.managedZone)).toEqual(["example-com", "example-com"]);
        expect(services(plan)).toEqual(expect.arrayContaining(["certificatemanager.googleapis.com", "dns.googleapis.com"]));
        expect(at(cluster(plan).inputs, "gatewayApiConfig")).toEqual({ channel: "CHANNEL_STANDARD" });
        expect(plan.outputs.dnsRecordsToCreate).toEqual([]);
    });
});

describe("sign-in", () => {
    test("none without authentication; oidc passed through with the secret wrapped", async () => {
        expect(gcpSignIn({ mode: "none" })).toBeUndefined();
        const signIn = gcpSignIn(OIDC);
        expect(signIn?.scopes).toEqual(["openid", "profile", "email"]);
        expect(await (signIn?.clientSecret as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
        expect(await (signIn?.issuerUrl as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(false);
    });

    test("cognito never reaches GCP: the platform refuses it before declaring any cloud resource", async () => {
        expect(() => gcpSignIn({ mode: "cognito", domainPrefix: "", adminEmail: "" })).toThrow(/cognito is an AWS service/);
        await expect(
            planPlatform(config, { dnsName: "flyte.example.com", dnsZone: "", access: "public" }, { mode: "cognito", domainPrefix: "", adminEmail: "" }),
        ).rejects.toThrow(/cognito is an AWS service/);
    });
});
