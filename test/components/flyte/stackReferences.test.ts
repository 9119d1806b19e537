import * as pulumi from "@pulumi/pulumi";
import type { ControlPlaneOutput, DataPlaneOutput } from "../../../components/contract/multiCluster";
import {
    checkDataPlaneJoin,
    controlPlaneOutput,
    dataPlaneFlyteConfig,
    dataPlaneOutput,
    publishedControlPlane,
    readControlPlane,
    readDataPlanes,
    StackReferenceError,
} from "../../../components/flyte/stackReferences";
import { parse } from "../../helpers/config";

/** Stack references answer from this table, as the Pulumi service answers for deployed (or empty) stacks. */
const STACKS: Record<string, { outputs: Record<string, unknown>; secretOutputNames: string[] }> = {};
const warnings: string[] = [];

pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            if (args.type === "pulumi:pulumi:StackReference") {
                const name = String(args.inputs.name);
                const stack = STACKS[name] ?? { outputs: {}, secretOutputNames: [] };
                return { id: name, state: { name, ...stack } };
            }
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
    },
    "flyte",
    "test",
    false,
);
const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => {
    warnings.push(message);
});

const flyte = parse({ "flyte:flavor": "core", "flyte:flyteProjects": '["ml","etl"]', "flyte:flyteDomains": '["dev:Development","prod"]', "flyte:namespaceTemplate": "{{ project }}" }).flyte;

const CONTROL: ControlPlaneOutput = publishedControlPlane({
    flyte,
    network: { gcpProject: "acme", region: "europe-west1", network: "projects/acme/global/networks/flyte", clientRanges: ["10.0.0.0/20", "10.16.0.0/14"], networkRanges: ["10.0.0.0/20", "10.16.0.0/14", "10.20.0.0/20"], adminGlobalAccess: false },
    admin: { endpoint: "10.0.0.10:8089", insecure: true },
    datacatalog: { endpoint: "10.0.0.11:89", insecure: true },
    metadataBucket: "meta",
    userDataBucket: "data",
    projectBuckets: {},
    identities: { flyteadmin: "admin@acme.iam.gserviceaccount.com", worker: "worker@acme.iam.gserviceaccount.com", datacatalog: "dc@x" },
});

const DATA: DataPlaneOutput = {
    cloud: "gcp",
    apiEndpoint: "https://10.40.0.2",
    caCertificate: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n",
    adminServiceAccount: "flyte/flyteadmin-remote",
    tokenGeneration: 2,
    podRange: "10.44.0.0/14",
};

/** A plain JSON round trip, as a stack output travels. */
const json = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

afterAll(() => warn.mockRestore());

describe("what the stacks publish, read back", () => {
    test("the control plane's output reads back as it was published", () => {
        expect(controlPlaneOutput("gke-control", json(CONTROL))).toEqual(CONTROL);
        expect(CONTROL).toMatchObject({
            identities: { flyteadmin: "admin@acme.iam.gserviceaccount.com", worker: "worker@acme.iam.gserviceaccount.com", projectWorkers: {} },
            projects: ["ml", "etl"],
            domains: ["dev", "prod"],
            domainNames: { dev: "Development", prod: "prod" },
            namespaceTemplate: "{{ project }}",
        });
        expect(CONTROL).not.toHaveProperty("propellerClientId");
    });

    test("a data plane's output reads back as it was published", () => {
        expect(dataPlaneOutput({ name: "gpu", stack: "gke-gpu" }, json(DATA))).toEqual(DATA);
        expect(dataPlaneOutput({ name: "gpu", stack: "gke-gpu" }, json({ ...DATA, rawDataBucket: "gpu-data" }))).toEqual({ ...DATA, rawDataBucket: "gpu-data" });
    });

    test.each([
        ["not an object", "x", "control plane gke-control, output controlPlane is not an object: is gke-control a control plane (flyte:clusterRole controlPlane)?"],
        ["another cloud", { ...CONTROL, cloud: "aws" }, 'control plane gke-control, output controlPlane: cloud is "aws", expected "gcp" (a multi-cluster deployment is on one cloud)'],
        ["a missing field", { ...CONTROL, metadataBucket: undefined }, "control plane gke-control, output controlPlane: metadataBucket is missing, expected a non-empty string"],
        ["a nested field of the wrong type", { ...CONTROL, admin: { endpoint: "x:1", insecure: "yes" } }, 'control plane gke-control, output controlPlane: admin.insecure is "yes", expected true or false'],
    ])("a control plane output with %s is one line naming it", (_what, value, message) => {
        expect(() => controlPlaneOutput("gke-control", json(value))).toThrow(new StackReferenceError(message));
    });

    test.each([
        ["an endpoint without https", { ...DATA, apiEndpoint: "10.40.0.2" }, 'data plane gpu (stack gke-gpu), output dataPlane: apiEndpoint is "10.40.0.2", expected https://<host>'],
        ["no token generation", { ...DATA, tokenGeneration: 0 }, "data plane gpu (stack gke-gpu), output dataPlane: tokenGeneration is 0, expected a positive whole number"],
    ])("a data plane output with %s is one line naming it", (_what, value, message) => {
        expect(() => dataPlaneOutput({ name: "gpu", stack: "gke-gpu" }, json(value))).toThrow(new StackReferenceError(message));
    });
});

describe("a data plane's config from its control plane", () => {
    const own = parse({ "flyte:flavor": "core" }).flyte;

    test("projects, domains, namespaces, Flyte's namespace and chart are the control plane's", () => {
        const config = dataPlaneFlyteConfig(own, { ...CONTROL, flyteNamespace: "flyte-cp", chartVersion: "v1.16.7" });
        expect(config).toMatchObject({
            flavor: "core",
            projects: ["ml", "etl"],
            domains: ["dev", "prod"],
            namespace: "flyte-cp",
            namespaceTemplate: "{{ project }}",
            chartVersion: "v1.16.7",
            projectNamespaces: [
                { project: "ml", domain: "dev", namespace: "ml" },
                { project: "ml", domain: "prod", namespace: "ml" },
                { project: "etl", domain: "dev", namespace: "etl" },
                { project: "etl", domain: "prod", namespace: "etl" },
            ],
        });
    });

    const join = (overrides: Partial<ControlPlaneOutput>, rawDataBucket = false, region = "europe-west1") => () =>
        checkDataPlaneJoin({ stack: "gke-control", controlPlane: { ...CONTROL, ...overrides }, config: { role: "dataPlane", controlPlaneStack: "gke-control", rawDataBucket, tokenGeneration: 1 }, region });

    test("a data plane in the control plane's region joins; elsewhere only with global access", () => {
        expect(join({})).not.toThrow();
        expect(join({ adminGlobalAccess: true }, false, "us-central1")).not.toThrow();
        expect(join({}, false, "us-central1")).toThrow(
            "control plane gke-control is in europe-west1 and its flyteadmin endpoint answers only there, this data plane is in us-central1: set flyte:loadBalancerGlobalAccess true (or flyte:dnsName) on the control plane, or put the data plane in europe-west1",
        );
    });

    test("no raw-data bucket of its own under the control plane's project isolation", () => {
        expect(join({ projectIsolation: true }, true)).toThrow(/^flyte:dataPlaneRawBucket is true but control plane gke-control has projectIsolation/);
        expect(join({ projectIsolation: true }, false)).not.toThrow();
    });
});

describe("reading the other stacks", () => {
    test("a control plane without outputs yet ends the data plane's run with one line", async () => {
        await expect(readControlPlane("acme/flyte/nowhere")).rejects.toThrow(
            new StackReferenceError("flyte:controlPlaneStack acme/flyte/nowhere has no output controlPlane yet: run pulumi up on the control plane first (README: the order of first deployment)"),
        );
    });

    test("a control plane with sign-in hands over flytepropeller's client secret, as a secret", async () => {
        STACKS["acme/flyte/cp"] = {
            outputs: { controlPlane: { ...CONTROL, propellerClientId: "flytepropeller" }, controlPlaneClientSecret: "s3cret" },
            secretOutputNames: ["controlPlaneClientSecret"],
        };
        const resolved = await readControlPlane("acme/flyte/cp");
        expect(resolved.output.propellerClientId).toBe("flytepropeller");
        expect(resolved.clientSecret).toBeDefined();
        const secret = resolved.clientSecret as pulumi.Output<string>;
        expect(await pulumi.isSecret(secret)).toBe(true);
        expect(await new Promise((resolve) => secret.apply(resolve))).toBe("s3cret");
    });

    test("a signing-in control plane without the secret output is one line", async () => {
        STACKS["acme/flyte/cp-half"] = { outputs: { controlPlane: { ...CONTROL, propellerClientId: "flytepropeller" } }, secretOutputNames: [] };
        await expect(readControlPlane("acme/flyte/cp-half")).rejects.toThrow(
            "control plane acme/flyte/cp-half signs clients in but has no secret output controlPlaneClientSecret: run pulumi up on the control plane",
        );
    });

    test("data planes without outputs are left out with a warning; the others come with their token as a secret", async () => {
        STACKS["gke-gpu"] = { outputs: { dataPlane: DATA, dataPlaneToken: "tok" }, secretOutputNames: ["dataPlaneToken"] };
        STACKS["gke-half"] = { outputs: { dataPlane: DATA }, secretOutputNames: [] };
        const resolved = await readDataPlanes([
            { name: "gpu", stack: "gke-gpu" },
            { name: "new", stack: "gke-new" },
            { name: "half", stack: "gke-half" },
        ]);
        expect(resolved.map((d) => d.ref.name)).toEqual(["gpu"]);
        expect(resolved[0].output).toEqual(DATA);
        expect(await pulumi.isSecret(resolved[0].token)).toBe(true);
        expect(warnings).toEqual([
            "data plane new (stack gke-new) has no outputs dataPlane and dataPlaneToken yet: run pulumi up there, then here again; until then no execution goes to it",
            "data plane half (stack gke-half) has no outputs dataPlane and dataPlaneToken yet: run pulumi up there, then here again; until then no execution goes to it",
        ]);
    });
});
