import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { HttpsConfig } from "../contract/config";
import type { DnsRecord, EndpointServiceRef, HttpsExposure } from "../contract/platform";
import { GATEWAY_API_VERSION, GKE_POLICY_API_VERSION, H2C_APP_PROTOCOL, httpsGatewayManifests, HttpsGatewayManifests, Manifest } from "./gatewayManifests";
import type { GcpNames } from "./names";

/** TTL of the records the program writes: short, so that a replaced address is picked up soon. */
export const DNS_RECORD_TTL_SECONDS = 300;

/** `name.` for `name`: DNS records are written fully qualified. */
export function fullyQualified(name: string): string {
    return name.endsWith(".") ? name : `${name}.`;
}

/** A DNS authorization's record as Certificate Manager reports it (`dnsResourceRecords`). */
export interface AuthorizationRecord {
    readonly name?: string;
    readonly type?: string;
    readonly data?: string;
}

/**
 * The record that proves control of `domain` to Certificate Manager: the one CNAME its DNS authorization asks for
 * (https://cloud.google.com/certificate-manager/docs/dns-authorizations). Certificate Manager picks its name and
 * target, so they are known once the authorization exists.
 */
export function validationRecord(records: readonly AuthorizationRecord[] | undefined, domain: string): DnsRecord {
    const found = (records ?? []).filter((r) => r.name && r.type && r.data);
    if (found.length !== 1) {
        throw new Error(`Certificate Manager reports ${found.length} DNS records for the authorization of ${domain}; expected one`);
    }
    const [record] = found;
    return { name: fullyQualified(String(record.name)), type: String(record.type), values: [String(record.data)], purpose: "certificate validation" };
}

/** The name's address record: the Gateway's reserved address. */
export function addressRecord(hostname: string, ip: string | undefined): DnsRecord {
    if (!ip) {
        throw new Error(`the Gateway's address for ${hostname} reports no IP address`);
    }
    return { name: fullyQualified(hostname), type: "A", values: [ip], purpose: "address of the Flyte endpoint" };
}

export interface HttpsGatewayArgs {
    /** The GCP project the address, certificate, SSL policy and records live in (and the DNS zone, if any). */
    readonly project: string;
    /** The region of the cluster: an internal Gateway's address, certificate and SSL policy are regional. */
    readonly region: string;
    /** The name, the zone records are written to (empty: none; they are listed in dnsRecordsToCreate), the access. */
    readonly https: HttpsConfig;
    /** Names from gcpNames; changing one replaces that resource. */
    readonly names: Pick<GcpNames, "gatewayAddress" | "sslPolicy" | "certificate" | "dnsAuthorization" | "certificateMap" | "certificateMapEntry">;
    /** Internal: the id of the nodes' subnet the Gateway's address is reserved in. */
    readonly subnet: pulumi.Input<string>;
    /** Internal: a fixed address in the subnet (flyte:loadBalancerIp); empty: GCP picks one, which then stays reserved. */
    readonly ip: string;
    /** Internal: let clients in other regions of the VPC reach the Gateway (flyte:loadBalancerGlobalAccess). */
    readonly globalAccess: boolean;
    /** GCP labels on the address, certificate, DNS authorization and certificate map. */
    readonly labels: Readonly<Record<string, string>>;
    /**
     * What the Gateway's load balancer needs before GKE builds it: an internal Gateway, the proxy-only subnet and
     * its firewall rule.
     */
    readonly gatewayDependencies: readonly pulumi.Resource[];
    /** APIs that must be enabled first. */
    readonly apis: {
        /** compute.googleapis.com: the address and the SSL policy. */
        readonly compute: pulumi.Resource;
        /** certificatemanager.googleapis.com: the certificate, its DNS authorization, the certificate map. */
        readonly certificatemanager: pulumi.Resource;
        /** dns.googleapis.com: the records, when written to a zone; required then. */
        readonly dns?: pulumi.Resource;
    };
}

/**
 * Flyte on its own name over HTTPS through a GKE Gateway: a Google-managed Certificate Manager certificate for
 * the name (validated through a DNS authorization), the load balancer's reserved address and TLS 1.2+ SSL policy,
 * and the validation and address records, written to the Cloud DNS zone or listed for a person to create. Its
 * exposure's `attach` declares the Gateway, the route and the backend policies in Flyte's namespace once the
 * endpoint Service exists.
 *
 * Internal: the region's internal Application Load Balancer (gke-l7-rilb) on an internal address of the nodes'
 * subnet, with a regional certificate. Public: the global external Application Load Balancer
 * (gke-l7-global-external-managed) on a global external address, with a global certificate served through a
 * certificate map.
 */
export class HttpsGateway extends pulumi.ComponentResource {
    /** The Gateway's address: regional internal, or global external. */
    readonly address: gcp.compute.Address | gcp.compute.GlobalAddress;
    readonly sslPolicy: gcp.compute.RegionSslPolicy | gcp.compute.SSLPolicy;
    readonly dnsAuthorization: gcp.certificatemanager.DnsAuthorization;
    readonly certificate: gcp.certificatemanager.Certificate;
    /** Public only: the map the global Gateway takes the certificate from, and its entry for the name. */
    readonly certificateMap?: gcp.certificatemanager.CertificateMap;
    readonly certificateMapEntry?: gcp.certificatemanager.CertificateMapEntry;
    /** The records written to the zone (validation, address); none without a zone. */
    readonly records: readonly gcp.dns.RecordSet[];
    /** The address's IP. */
    readonly ip: pulumi.Output<string>;
    /** The records a person must create (validation, address); empty when they are written to the zone. */
    readonly dnsRecordsToCreate: pulumi.Output<readonly DnsRecord[]>;
    /** What the Flyte layer exposes Flyte through. */
    readonly exposure: HttpsExposure;

    private readonly baseName: string;
    private readonly args: HttpsGatewayArgs;
    private attached = false;

    constructor(name: string, args: HttpsGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:HttpsGateway", name, {}, opts);
        this.baseName = name;
        this.args = args;
        const { project, region, https, names, labels } = args;
        const internal = https.access === "internal";
        if (https.dnsZone !== "" && args.apis.dns === undefined) {
            throw new Error(`HttpsGateway ${name}: records go to zone ${https.dnsZone}, but the DNS API is not among its apis`);
        }
        const child = { parent: this };
        const compute = { parent: this, dependsOn: [args.apis.compute] };
        const certificates = { parent: this, dependsOn: [args.apis.certificatemanager] };
        const description = `Flyte's HTTPS endpoint ${https.dnsName}. Managed by Pulumi.`;

        // Reserved up front, so that the address record is known before the cluster and its Gateway exist.
        // Internal: an address of the nodes' subnet; SHARED_LOADBALANCER_VIP lets the Gateway's forwarding rules
        // share it (https://cloud.google.com/load-balancing/docs/l7-internal/setting-up-l7-internal).
        this.address = internal
            ? new gcp.compute.Address(
                  `${name}-address`,
                  {
                      project,
                      region,
                      name: names.gatewayAddress,
                      addressType: "INTERNAL",
                      purpose: "SHARED_LOADBALANCER_VIP",
                      subnetwork: args.subnet,
                      address: args.ip === "" ? undefined : args.ip,
                      description,
                      labels: { ...labels },
                  },
                  compute,
              )
            : new gcp.compute.GlobalAddress(
                  `${name}-address`,
                  { project, name: names.gatewayAddress, addressType: "EXTERNAL", ipVersion: "IPV4", description, labels: { ...labels } },
                  compute,
              );
        this.ip = this.address.address;

        // Google's default SSL policy still accepts TLS 1.0 and 1.1.
        // https://cloud.google.com/load-balancing/docs/ssl-policies-concepts
        const tls = { project, name: names.sslPolicy, profile: "MODERN", minTlsVersion: "TLS_1_2", description };
        this.sslPolicy = internal
            ? new gcp.compute.RegionSslPolicy(`${name}-tls`, { ...tls, region }, compute)
            : new gcp.compute.SSLPolicy(`${name}-tls`, tls, compute);

        // A regional load balancer serves regional certificates; a global one, global certificates through a map.
        // PER_PROJECT_RECORD: the validation record's name is this project's own, so another project may validate
        // the same name at the same time. https://cloud.google.com/certificate-manager/docs/dns-authorizations
        const location = internal ? region : "global";
        this.dnsAuthorization = new gcp.certificatemanager.DnsAuthorization(
            `${name}-dns-authorization`,
            { project, location, name: names.dnsAuthorization, domain: https.dnsName, type: "PER_PROJECT_RECORD", description, labels: { ...labels } },
            certificates,
        );
        this.certificate = new gcp.certificatemanager.Certificate(
            `${name}-certificate`,
            {
                project,
                location,
                name: names.certificate,
                description,
                managed: { domains: [https.dnsName], dnsAuthorizations: [this.dnsAuthorization.id] },
                labels: { ...labels },
            },
            certificates,
        );
        if (!internal) {
            this.certificateMap = new gcp.certificatemanager.CertificateMap(
                `${name}-certificate-map`,
                { project, name: names.certificateMap, description, labels: { ...labels } },
                certificates,
            );
            this.certificateMapEntry = new gcp.certificatemanager.CertificateMapEntry(
                `${name}-certificate-map-entry`,
                {
                    project,
                    name: names.certificateMapEntry,
                    map: this.certificateMap.name,
                    hostname: https.dnsName,
                    certificates: [this.certificate.id],
                    description,
                    labels: { ...labels },
                },
                child,
            );
        }

        const validation = this.dnsAuthorization.dnsResourceRecords.apply((records) => validationRecord(records, https.dnsName));
        const address = this.ip.apply((ip) => addressRecord(https.dnsName, ip));
        if (https.dnsZone !== "") {
            const dns = { parent: this, dependsOn: args.apis.dns ? [args.apis.dns] : [] };
            const record = (suffix: string, value: pulumi.Output<DnsRecord>) =>
                new gcp.dns.RecordSet(
                    `${name}-${suffix}`,
                    {
                        project,
                        managedZone: https.dnsZone,
                        name: value.apply((r) => r.name),
                        type: value.apply((r) => r.type),
                        ttl: DNS_RECORD_TTL_SECONDS,
                        rrdatas: value.apply((r) => [...r.values]),
                    },
                    dns,
                );
            this.records = [record("validation-record", validation), record("address-record", address)];
            this.dnsRecordsToCreate = pulumi.output([]);
        } else {
            this.records = [];
            this.dnsRecordsToCreate = pulumi.all([validation, address]).apply((records) => records);
        }

        this.exposure = {
            kind: "https",
            hostname: https.dnsName,
            // The Gateway's load balancer sends to the pods themselves (container-native load balancing, NEGs GKE
            // creates for the Service): no NodePorts, no annotations.
            service: { type: "ClusterIP" },
            // Flyte's gRPC port speaks HTTP/2 without TLS; GKE's Gateway reads the backend protocol from the port's
            // appProtocol (https://gateway-api.sigs.k8s.io/guides/backend-protocol/; backend service protocol H2C,
            // https://cloud.google.com/load-balancing/docs/backend-service#backend_service_protocol).
            grpcAppProtocol: H2C_APP_PROTOCOL,
            serviceAnnotations: {},
            attach: (service, attachOpts) => this.attach(service, attachOpts),
            dnsRecordsToCreate: this.dnsRecordsToCreate,
        };

        this.registerOutputs({ ip: this.ip, dnsRecordsToCreate: this.dnsRecordsToCreate });
    }

    /**
     * The Gateway, the HTTPRoute and the policies, in the Service's namespace, declared with `opts` (the Flyte
     * layer's parent and the cluster's provider). The Gateway lives with Flyte: it admits only routes of its own
     * namespace, and the policy pack ties a public Gateway to the authenticated Flyte release in the same namespace.
     */
    private attach(service: EndpointServiceRef, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
        if (this.attached) {
            throw new Error(`HttpsGateway ${this.baseName}: the endpoint Service is already attached`);
        }
        this.attached = true;
        const { https } = this.args;
        // Outputs of the certificate (or the map's entry), the address and the SSL policy, so that the Gateway
        // waits for them.
        const certificate = this.certificateMapEntry ? this.certificateMapEntry.map : this.certificate.name;
        const manifests: pulumi.Output<HttpsGatewayManifests> = pulumi
            .all([service.namespace, service.name, certificate, this.address.name, this.sslPolicy.name])
            .apply(([namespace, serviceName, certificateName, addressName, sslPolicy]) =>
                httpsGatewayManifests({
                    access: https.access,
                    hostname: https.dnsName,
                    namespace,
                    service: serviceName,
                    httpPort: service.httpPort,
                    grpcPort: service.grpcPort,
                    addressName,
                    certificate: certificateName,
                    sslPolicy,
                    allowGlobalAccess: this.args.globalAccess,
                }),
            );
        const declare = (suffix: string, pick: (m: HttpsGatewayManifests) => Manifest, types: Pick<Manifest, "apiVersion" | "kind">, resourceOpts: pulumi.CustomResourceOptions) => {
            const manifest = manifests.apply(pick);
            return new k8s.apiextensions.CustomResource(
                `${this.baseName}-${suffix}`,
                { apiVersion: types.apiVersion, kind: types.kind, metadata: manifest.apply((m) => m.metadata), spec: manifest.apply((m) => m.spec) },
                resourceOpts,
            );
        };
        const gatewayApi = GATEWAY_API_VERSION;
        const gkeApi = GKE_POLICY_API_VERSION;
        const gateway = declare("gateway", (m) => m.gateway, { apiVersion: gatewayApi, kind: "Gateway" }, pulumi.mergeOptions(opts, { dependsOn: [...this.args.gatewayDependencies] }));
        return [
            gateway,
            declare("route", (m) => m.route, { apiVersion: gatewayApi, kind: "HTTPRoute" }, opts),
            declare("health-check", (m) => m.healthCheck, { apiVersion: gkeApi, kind: "HealthCheckPolicy" }, opts),
            declare("backend-policy", (m) => m.backendPolicy, { apiVersion: gkeApi, kind: "GCPBackendPolicy" }, opts),
            declare("gateway-policy", (m) => m.gatewayPolicy, { apiVersion: gkeApi, kind: "GCPGatewayPolicy" }, opts),
        ];
    }
}
