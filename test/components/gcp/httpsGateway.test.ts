import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { HttpsConfig } from "../../../components/contract/config";
import { httpsGatewayManifests } from "../../../components/gcp/gatewayManifests";
import { addressRecord, fullyQualified, HttpsGateway, validationRecord } from "../../../components/gcp/httpsGateway";
import { gcpNames } from "../../../components/gcp/names";
import { OptionalService, ProjectServices } from "../../../components/gcp/projectServices";
import { MOCK_LOAD_BALANCER_IP } from "../../../lib/plan/mocks";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, expectOnKubernetesProvider, runComponents } from "../../helpers/components";
import { at } from "../../helpers/json";
import { byName, mocked, ofType, only } from "../../helpers/plan";
import { gatewaySchemaProblems } from "../../helpers/gatewaySchemas";

const PROJECT = "acme-test";
const REGION = "europe-west1";
const SUBNET = `projects/${PROJECT}/regions/${REGION}/subnetworks/nodes`;
const HOST = "flyte.ml.example.com";
const names = gcpNames({ pulumiProject: "flyte", stack: "test", gcpProject: PROJECT });

const T = {
    address: "gcp:compute/address:Address",
    globalAddress: "gcp:compute/globalAddress:GlobalAddress",
    regionSslPolicy: "gcp:compute/regionSslPolicy:RegionSslPolicy",
    sslPolicy: "gcp:compute/sSLPolicy:SSLPolicy",
    dnsAuthorization: "gcp:certificatemanager/dnsAuthorization:DnsAuthorization",
    certificate: "gcp:certificatemanager/certificate:Certificate",
    certificateMap: "gcp:certificatemanager/certificateMap:CertificateMap",
    certificateMapEntry: "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
    recordSet: "gcp:dns/recordSet:RecordSet",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    healthCheck: "kubernetes:networking.gke.io/v1:HealthCheckPolicy",
    backendPolicy: "kubernetes:networking.gke.io/v1:GCPBackendPolicy",
    gatewayPolicy: "kubernetes:networking.gke.io/v1:GCPGatewayPolicy",
} as const;

interface Options {
    readonly globalAccess?: boolean;
    readonly ip?: string;
    /** Attach the endpoint Service this many times (the Flyte layer does once). */
    readonly attachments?: number;
}

/**
 * An HttpsGateway as GcpPlatform builds it, and the Flyte layer's side: Flyte's namespace, the endpoint Service, and
 * `attach` called with the Flyte component as parent and the cluster's provider.
 */
function planGateway(https: HttpsConfig, options: Options = {}): Promise<Plan> {
    return runComponents(() => {
        const optional: OptionalService[] = ["certificatemanager", ...(https.dnsZone !== "" ? ["dns" as const] : [])];
        const apis = new ProjectServices("apis", { project: PROJECT, optional });
        const proxyOnly = new gcp.compute.Subnetwork("proxy-only", {
            project: PROJECT,
            region: REGION,
            network: "vpc",
            ipCidrRange: "10.24.0.0/23",
            purpose: "REGIONAL_MANAGED_PROXY",
            role: "ACTIVE",
        });
        const certificatemanager = apis.optional.certificatemanager;
        if (!certificatemanager) {
            throw new Error("no certificatemanager API");
        }
        const gateway = new HttpsGateway("https", {
            project: PROJECT,
            region: REGION,
            https,
            names,
            subnet: SUBNET,
            ip: options.ip ?? "",
            globalAccess: options.globalAccess ?? false,
            labels: { app: "flyte" },
            gatewayDependencies: https.access === "internal" ? [proxyOnly] : [],
            apis: { compute: apis.services.compute, certificatemanager, dns: apis.optional.dns },
        });
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const flyte = new pulumi.ComponentResource("test:flyte:Flyte", "flyte", {});
        const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: "team-flyte" } }, { parent: flyte, provider });
        const service = new k8s.core.v1.Service(
            "endpoint",
            {
                metadata: { name: "flyte-binary-https", namespace: namespace.metadata.name },
                spec: {
                    type: "ClusterIP",
                    selector: { app: "flyte" },
                    ports: [
                        { name: "http", port: 8088, targetPort: "http" },
                        { name: "grpc", port: 8089, targetPort: "grpc", appProtocol: gateway.exposure.grpcAppProtocol },
                    ],
                },
            },
            { parent: flyte, provider },
        );
        const attached: pulumi.Resource[] = [];
        for (let i = 0; i < (options.attachments ?? 1); i++) {
            attached.push(
                ...gateway.exposure.attach({ namespace: service.metadata.namespace, name: service.metadata.name, httpPort: 8088, grpcPort: 8089 }, { parent: flyte, provider }),
            );
        }
        return {
            ip: gateway.ip,
            dnsRecordsToCreate: gateway.exposure.dnsRecordsToCreate,
            attachedUrns: pulumi.all(attached.map((r) => r.urn)),
            exposure: {
                kind: gateway.exposure.kind,
                hostname: gateway.exposure.hostname,
                service: gateway.exposure.service,
                grpcAppProtocol: gateway.exposure.grpcAppProtocol,
                serviceAnnotations: gateway.exposure.serviceAnnotations,
            },
        };
    });
}

/** The CNAME Certificate Manager asked for, as the mocks answered for the plan's DNS authorization. */
function askedRecord(plan: Plan): { name: string; type: string; data: string } {
    const records = at(mocked(only(plan, T.dnsAuthorization)).state, "dnsResourceRecords");
    if (!Array.isArray(records) || records.length !== 1) {
        throw new Error(`expected one mocked DNS record, got ${JSON.stringify(records)}`);
    }
    const [record] = records as { name: string; type: string; data: string }[];
    expect(record.type).toBe("CNAME");
    return record;
}

/** The global address's IP, as the mocks answered. */
const globalIp = (plan: Plan) => String(mocked(only(plan, T.globalAddress)).state.address);

const KUBERNETES_OBJECTS = [T.gateway, T.route, T.healthCheck, T.backendPolicy, T.gatewayPolicy];

/** The Kubernetes objects attach declared, as the API server would receive them. */
function objects(plan: Plan): unknown[] {
    return KUBERNETES_OBJECTS.map((type) => only(plan, type).inputs);
}

/** Whether `resource` waits for `on` (an input taken from it, or dependsOn). */
const waitsFor = (resource: RecordedResource, on: RecordedResource) => resource.dependencies.includes(on.urn);

describe("internal, records written to the zone", () => {
    const https: HttpsConfig = { dnsName: HOST, dnsZone: "ml-example-com", access: "internal" };
    let plan: Plan;
    beforeAll(async () => {
        plan = await planGateway(https, { globalAccess: true });
    });

    test("reserves an internal address of the nodes' subnet that the Gateway's forwarding rules may share", () => {
        expect(ofType(plan, T.globalAddress)).toEqual([]);
        expect(only(plan, T.address).inputs).toMatchObject({
            project: PROJECT,
            region: REGION,
            name: names.gatewayAddress,
            addressType: "INTERNAL",
            purpose: "SHARED_LOADBALANCER_VIP",
            subnetwork: SUBNET,
            labels: { app: "flyte" },
        });
        expect(only(plan, T.address).inputs.address).toBeUndefined();
        expect(only(plan, T.address).dependencies).toContain(byName(plan, "gcp:projects/service:Service", "apis-compute").urn);
    });

    test("a regional Google-managed certificate for the name, validated through a regional DNS authorization", () => {
        const authorization = only(plan, T.dnsAuthorization);
        expect(authorization.inputs).toMatchObject({ project: PROJECT, location: REGION, name: names.dnsAuthorization, domain: HOST, type: "PER_PROJECT_RECORD" });
        const certificate = only(plan, T.certificate);
        expect(certificate.inputs).toMatchObject({ project: PROJECT, location: REGION, name: names.certificate });
        expect(at(certificate.inputs, "managed")).toEqual({
            domains: [HOST],
            dnsAuthorizations: [`projects/${PROJECT}/locations/${REGION}/dnsAuthorizations/${names.dnsAuthorization}`],
        });
        expect(certificate.inputs.selfManaged).toBeUndefined();
        const api = byName(plan, "gcp:projects/service:Service", "apis-certificatemanager");
        expect(api.inputs.service).toBe("certificatemanager.googleapis.com");
        expect(waitsFor(authorization, api) && waitsFor(certificate, api) && waitsFor(certificate, authorization)).toBe(true);
        // A regional Gateway takes certificates by name; no map.
        expect(ofType(plan, T.certificateMap)).toEqual([]);
        expect(ofType(plan, T.certificateMapEntry)).toEqual([]);
    });

    test("a regional TLS 1.2+ SSL policy", () => {
        expect(ofType(plan, T.sslPolicy)).toEqual([]);
        expect(only(plan, T.regionSslPolicy).inputs).toMatchObject({ project: PROJECT, region: REGION, name: names.sslPolicy, minTlsVersion: "TLS_1_2", profile: "MODERN" });
    });

    test("the validation CNAME and the name's A record are written to the zone, and none is left to a person", () => {
        const records = ofType(plan, T.recordSet);
        expect(records.map((r) => r.inputs.type).sort()).toEqual(["A", "CNAME"]);
        const expected = askedRecord(plan);
        const cname = records.find((r) => r.inputs.type === "CNAME");
        expect(cname?.inputs).toMatchObject({ project: PROJECT, managedZone: "ml-example-com", name: expected.name, rrdatas: [expected.data], ttl: 300 });
        const a = records.find((r) => r.inputs.type === "A");
        expect(a?.inputs).toMatchObject({ project: PROJECT, managedZone: "ml-example-com", name: `${HOST}.`, rrdatas: [MOCK_LOAD_BALANCER_IP], ttl: 300 });
        const dnsApi = byName(plan, "gcp:projects/service:Service", "apis-dns");
        expect(dnsApi.inputs.service).toBe("dns.googleapis.com");
        for (const record of records) {
            expect(waitsFor(record, dnsApi)).toBe(true);
        }
        expect(plan.outputs.dnsRecordsToCreate).toEqual([]);
    });

    test("exposes Flyte through a ClusterIP Service whose gRPC port speaks h2c, without annotations", () => {
        expect(plan.outputs.exposure).toEqual({
            kind: "https",
            hostname: HOST,
            service: { type: "ClusterIP" },
            grpcAppProtocol: "kubernetes.io/h2c",
            serviceAnnotations: {},
        });
    });

    test("attach declares the Gateway, the route and the policies in the Service's namespace, under the Flyte component, on its provider", () => {
        const flyte = component(plan, "test:flyte:Flyte");
        const attached = KUBERNETES_OBJECTS.map((type) => only(plan, type));
        expect(plan.outputs.attachedUrns).toEqual(attached.map((r) => r.urn));
        expect(childrenOf(plan, flyte).map((r) => r.urn)).toEqual(expect.arrayContaining(attached.map((r) => r.urn)));
        expectOnKubernetesProvider(plan, attached, "cluster");
        const expected = httpsGatewayManifests({
            access: "internal",
            hostname: HOST,
            namespace: "team-flyte",
            service: "flyte-binary-https",
            httpPort: 8088,
            grpcPort: 8089,
            addressName: names.gatewayAddress,
            certificate: names.certificate,
            sslPolicy: names.sslPolicy,
            allowGlobalAccess: true,
        });
        expect(objects(plan)).toEqual([expected.gateway, expected.route, expected.healthCheck, expected.backendPolicy, expected.gatewayPolicy]);
        expect(at(only(plan, T.gatewayPolicy).inputs, "spec", "default", "allowGlobalAccess")).toBe(true);
    });

    test("every object is valid against the Gateway API's and GKE's schemas", () => {
        expect(gatewaySchemaProblems(objects(plan))).toEqual([]);
    });

    test("the Gateway waits for its certificate, address, SSL policy, the proxy-only subnet and the Service it is declared beside", () => {
        const gateway = only(plan, T.gateway);
        for (const type of [T.certificate, T.address, T.regionSslPolicy, "gcp:compute/subnetwork:Subnetwork", "kubernetes:core/v1:Service"]) {
            expect([type, waitsFor(gateway, only(plan, type))]).toEqual([type, true]);
        }
        // The route and the policies wait for the Service they name.
        for (const type of [T.route, T.healthCheck, T.backendPolicy]) {
            expect([type, waitsFor(only(plan, type), only(plan, "kubernetes:core/v1:Service"))]).toEqual([type, true]);
        }
    });

    test("the component owns the cloud side only", () => {
        const owner = component(plan, "flyte:gcp:HttpsGateway");
        expect(childrenOf(plan, owner).map((r) => r.type).sort()).toEqual(
            [T.address, T.regionSslPolicy, T.dnsAuthorization, T.certificate, T.recordSet, T.recordSet].sort(),
        );
    });
});

describe("internal, no zone", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planGateway({ dnsName: HOST, dnsZone: "", access: "internal" }, { ip: "10.10.0.50" });
    });

    test("writes no record and enables no DNS API: the stack lists the validation CNAME and the A record to create", () => {
        expect(ofType(plan, T.recordSet)).toEqual([]);
        expect(ofType(plan, "gcp:projects/service:Service").map((s) => s.inputs.service)).not.toContain("dns.googleapis.com");
        const expected = askedRecord(plan);
        expect(plan.outputs.dnsRecordsToCreate).toEqual([
            { name: expected.name, type: "CNAME", values: [expected.data], purpose: "certificate validation" },
            { name: `${HOST}.`, type: "A", values: ["10.10.0.50"], purpose: "address of the Flyte endpoint" },
        ]);
    });

    test("the configured address is reserved, and global access stays off", () => {
        expect(only(plan, T.address).inputs.address).toBe("10.10.0.50");
        expect(at(only(plan, T.gatewayPolicy).inputs, "spec", "default")).toEqual({ sslPolicy: names.sslPolicy });
    });
});

describe("public, records written to the zone", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planGateway({ dnsName: HOST, dnsZone: "ml-example-com", access: "public" }, { globalAccess: true });
    });

    test("a global external address, a global TLS 1.2+ SSL policy, and nothing regional", () => {
        expect(ofType(plan, T.address)).toEqual([]);
        expect(only(plan, T.globalAddress).inputs).toMatchObject({ project: PROJECT, name: names.gatewayAddress, addressType: "EXTERNAL", ipVersion: "IPV4" });
        expect(ofType(plan, T.regionSslPolicy)).toEqual([]);
        expect(only(plan, T.sslPolicy).inputs).toMatchObject({ project: PROJECT, name: names.sslPolicy, minTlsVersion: "TLS_1_2", profile: "MODERN" });
        expect(only(plan, T.sslPolicy).inputs.region).toBeUndefined();
    });

    test("a global certificate served through a certificate map entry for the name", () => {
        expect(only(plan, T.dnsAuthorization).inputs).toMatchObject({ location: "global", domain: HOST, type: "PER_PROJECT_RECORD" });
        const certificate = only(plan, T.certificate);
        expect(certificate.inputs).toMatchObject({ location: "global", name: names.certificate });
        expect(at(certificate.inputs, "managed", "domains")).toEqual([HOST]);
        expect(only(plan, T.certificateMap).inputs).toMatchObject({ project: PROJECT, name: names.certificateMap });
        const entry = only(plan, T.certificateMapEntry);
        expect(entry.inputs).toMatchObject({
            project: PROJECT,
            name: names.certificateMapEntry,
            map: names.certificateMap,
            hostname: HOST,
            certificates: [`projects/${PROJECT}/locations/global/certificates/${names.certificate}`],
        });
    });

    test("the A record points at the global address", () => {
        const a = ofType(plan, T.recordSet).find((r) => r.inputs.type === "A");
        expect(a?.inputs).toMatchObject({ name: `${HOST}.`, rrdatas: [globalIp(plan)], managedZone: "ml-example-com" });
        expect(plan.outputs.dnsRecordsToCreate).toEqual([]);
    });

    test("the Gateway is of the global external class, takes the map from its annotation and waits for the map's entry", () => {
        const gateway = only(plan, T.gateway);
        expect(at(gateway.inputs, "spec", "gatewayClassName")).toBe("gke-l7-global-external-managed");
        expect(at(gateway.inputs, "metadata", "annotations")).toEqual({ "networking.gke.io/certmap": names.certificateMap });
        expect(at(gateway.inputs, "spec", "listeners", 0, "tls")).toBeUndefined();
        expect(waitsFor(gateway, only(plan, T.certificateMapEntry))).toBe(true);
        expect(waitsFor(gateway, only(plan, T.globalAddress))).toBe(true);
        // No global access on a global load balancer, whatever the config says.
        expect(at(only(plan, T.gatewayPolicy).inputs, "spec", "default")).toEqual({ sslPolicy: names.sslPolicy });
    });

    test("every object is valid against the Gateway API's and GKE's schemas", () => {
        expect(gatewaySchemaProblems(objects(plan))).toEqual([]);
    });
});

describe("public, no zone", () => {
    test("lists the two records to create, the A record with the global address", async () => {
        const plan = await planGateway({ dnsName: HOST, dnsZone: "", access: "public" });
        expect(ofType(plan, T.recordSet)).toEqual([]);
        const expected = askedRecord(plan);
        expect(plan.outputs.dnsRecordsToCreate).toEqual([
            { name: expected.name, type: "CNAME", values: [expected.data], purpose: "certificate validation" },
            { name: `${HOST}.`, type: "A", values: [globalIp(plan)], purpose: "address of the Flyte endpoint" },
        ]);
    });
});

describe("refusals", () => {
    test("the endpoint Service is attached once", async () => {
        await expect(planGateway({ dnsName: HOST, dnsZone: "", access: "internal" }, { attachments: 2 })).rejects.toThrow(/already attached/);
    });

    test("records for a zone without the DNS API", async () => {
        await expect(
            runComponents(() => {
                const apis = new ProjectServices("apis", { project: PROJECT, optional: ["certificatemanager"] });
                new HttpsGateway("https", {
                    project: PROJECT,
                    region: REGION,
                    https: { dnsName: HOST, dnsZone: "zone", access: "internal" },
                    names,
                    subnet: SUBNET,
                    ip: "",
                    globalAccess: false,
                    labels: {},
                    gatewayDependencies: [],
                    apis: { compute: apis.services.compute, certificatemanager: apis.services.compute },
                });
                return {};
            }),
        ).rejects.toThrow(/the DNS API is not among its apis/);
    });
});

describe("records", () => {
    test("the validation record is the authorization's one record, fully qualified", () => {
        expect(validationRecord([{ name: "_acme-challenge_x.flyte.example.com", type: "CNAME", data: "abc.9.authorize.certificatemanager.goog." }], "flyte.example.com")).toEqual({
            name: "_acme-challenge_x.flyte.example.com.",
            type: "CNAME",
            values: ["abc.9.authorize.certificatemanager.goog."],
            purpose: "certificate validation",
        });
        expect(() => validationRecord(undefined, "flyte.example.com")).toThrow(/reports 0 DNS records/);
        expect(() => validationRecord([{ name: "a", type: "CNAME" }], "flyte.example.com")).toThrow(/reports 0 DNS records/);
        const two = [
            { name: "a.", type: "CNAME", data: "x." },
            { name: "b.", type: "CNAME", data: "y." },
        ];
        expect(() => validationRecord(two, "flyte.example.com")).toThrow(/reports 2 DNS records/);
    });

    test("the address record, and names ending in one dot", () => {
        expect(addressRecord("flyte.example.com", "10.0.0.5")).toEqual({ name: "flyte.example.com.", type: "A", values: ["10.0.0.5"], purpose: "address of the Flyte endpoint" });
        expect(() => addressRecord("flyte.example.com", "")).toThrow(/no IP address/);
        expect(fullyQualified("a.b")).toBe("a.b.");
        expect(fullyQualified("a.b.")).toBe("a.b.");
    });
});
