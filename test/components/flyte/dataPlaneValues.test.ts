import type { GcpControlPlaneOutput } from "../../../components/contract/multiCluster";
import { CLIENT_SECRET_FILE } from "../../../components/flyte/authentication";
import { CORE_ADMIN_CLIENT_SECRET, propellerValues, taskLogValues, webhookValues } from "../../../components/flyte/coreValues";
import {
    DATA_PLANE_CLIENT_SECRET,
    DataPlaneValuesInput,
    flyteDataPlaneValues,
    FlyteDataPlaneValues,
    PROPELLER_SECRETS_DIR,
} from "../../../components/flyte/dataPlaneValues";
import { gcpStackConfig } from "../../helpers/config";
import { annotationsOf, ConfigDirectory, configDirectory, containerNamed } from "../../helpers/flyte";
import { findDoc, K8sObject, mountContaining, podVolume } from "../../helpers/helm";
import { at, recordAt, stringAt } from "../../helpers/json";
import { DATA_PLANE_CHART_OBJECTS, renderCoreValues } from "../../helpers/coreChart";
import { TEST_AWS_DATA_PLANE, TEST_DATA_PLANE, TEST_HOSTNAME, testResolvedAwsControlPlane, testResolvedControlPlane } from "../../helpers/testPlatforms";

/**
 * flyteDataPlaneValues: flyte-core with flytepropeller alone, reporting to the control plane's flyteadmin, caching
 * through its datacatalog and writing metadata to its bucket; with the control plane's sign-in (a client id and the
 * Secret DATA_PLANE_CLIENT_SECRET) and without. The real chart is rendered for both: what it creates, exactly, and
 * what propeller reads.
 */

const NAMESPACE = "flyte";
const IDENTITY_KEY = "iam.gke.io/gcp-service-account";
const PROPELLER_IDENTITY = TEST_DATA_PLANE.propellerIdentity;
const LOG_URI = "https://console.cloud.google.com/logs/query;query=pod%3D%22{{ .podName }}%22?project=acme-test";

/** The test control plane (testPlatforms.ts): flyteadmin over Flyte's HTTPS name with sign-in, an internal load balancer without. */
function controlPlane(overrides: Partial<GcpControlPlaneOutput> = {}, signIn = true): GcpControlPlaneOutput {
    return { ...testResolvedControlPlane({ signIn }).output, ...overrides };
}

function input(overrides: Partial<DataPlaneValuesInput> = {}): DataPlaneValuesInput {
    return {
        flyte: gcpStackConfig({ "flyte:flavor": "core", "flyte:flyteProjects": '["alpha","beta"]' }).flyte,
        controlPlane: controlPlane(),
        rawDataBucket: TEST_DATA_PLANE.ownRawDataBucket,
        propellerIdentity: { annotationKey: IDENTITY_KEY, value: PROPELLER_IDENTITY },
        taskLogs: [{ plugin: "stackdriver", templateUri: LOG_URI }],
        taskEnvironment: { TEAM: "ml" },
        secretsChecksum: "dp-checksum",
        ...overrides,
    };
}

const SIGNED_IN = flyteDataPlaneValues(input());
const NO_SIGN_IN = flyteDataPlaneValues(input({ controlPlane: controlPlane({}, false) }));

describe("the values", () => {
    test("everything but flytepropeller off: flyteadmin (and its service account), datacatalog, console, scheduler, sync, connector, ingress", () => {
        expect(SIGNED_IN.flyteadmin).toEqual({ enabled: false, serviceAccount: { alwaysCreate: false } });
        for (const off of [SIGNED_IN.datacatalog, SIGNED_IN.flyteconsole, SIGNED_IN.flyteconnector, SIGNED_IN.workflow_scheduler, SIGNED_IN.cluster_resource_manager]) {
            expect(off).toEqual({ enabled: false });
        }
        expect(SIGNED_IN.common).toEqual({ ingress: { enabled: false } });
    });

    test("flytepropeller: on, its service account with its own identity, the checksum on its pods; the webhook as in a standalone Flyte", () => {
        expect(SIGNED_IN.flytepropeller).toEqual({
            enabled: true,
            serviceAccount: { create: true, annotations: { [IDENTITY_KEY]: PROPELLER_IDENTITY } },
            podAnnotations: { "checksum/pulumi-secrets": "dp-checksum" },
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, seLinuxOptions: { type: "container_t" } },
        });
        expect(SIGNED_IN.webhook).toEqual({ enabled: true, ...webhookValues() });
    });

    test("storage: the control plane's metadata bucket in its project; raw outputs to the data plane's bucket", () => {
        expect(SIGNED_IN.storage).toEqual({ type: "gcs", bucketName: "acme-control-metadata", gcs: { projectId: "acme-test" }, limits: { maxDownloadMBs: 10 } });
        expect(SIGNED_IN.configmap.core.propeller).toEqual(propellerValues(input().flyte, "gs://acme-gpu-rawdata/data"));
        expect(SIGNED_IN.configmap.core.propeller).toMatchObject({ "metadata-prefix": "metadata/propeller", "limit-namespace": "all" });
    });

    test("flyteadmin: the control plane's endpoint; with sign-in, client credentials from the mounted Secret, the token endpoint discovered", () => {
        expect(SIGNED_IN.configmap.admin).toEqual({
            admin: {
                endpoint: `${TEST_HOSTNAME}:443`,
                insecure: false,
                clientId: "flytepropeller",
                clientSecretLocation: "/etc/secrets/client_secret",
                authType: "ClientSecret",
            },
        });
        expect(SIGNED_IN.secrets.adminOauthClientCredentials).toEqual({ enabled: true, clientSecret: "", clientId: "flytepropeller", secretName: "flyte-secret-auth" });
        expect(DATA_PLANE_CLIENT_SECRET).toEqual({ secretName: CORE_ADMIN_CLIENT_SECRET, key: CLIENT_SECRET_FILE });
        expect(`${PROPELLER_SECRETS_DIR}/${DATA_PLANE_CLIENT_SECRET.key}`).toBe(SIGNED_IN.configmap.admin.admin.clientSecretLocation);
    });

    test("without sign-in: the endpoint alone, no Secret mounted", () => {
        expect(NO_SIGN_IN.configmap.admin).toEqual({ admin: { endpoint: "10.10.0.40:81", insecure: true } });
        expect(NO_SIGN_IN.secrets).toEqual({ adminOauthClientCredentials: { enabled: false, clientSecret: "" } });
    });

    test("datacatalog: the control plane's", () => {
        expect(SIGNED_IN.configmap.catalog).toEqual({ "catalog-cache": { endpoint: "10.10.0.41:89", type: "datacatalog", insecure: true } });
    });

    test("task pods: the environment and log links, as in a standalone Flyte", () => {
        expect(SIGNED_IN.configmap.k8s).toEqual({ plugins: { k8s: { "default-env-vars": [{ TEAM: "ml" }] } } });
        expect(SIGNED_IN.configmap.task_logs).toEqual(taskLogValues(input().taskLogs));
        expect(flyteDataPlaneValues(input({ taskEnvironment: undefined })).configmap.k8s.plugins.k8s).toEqual({ "default-env-vars": [] });
    });
});

// ---- Rendered by the chart ----

interface Rendered {
    readonly docs: K8sObject[];
    /** Schema and YAML problems of every object, as the API server would read them. */
    readonly problems: string[];
    /** What flytepropeller loads from its config directory. */
    readonly config: ConfigDirectory;
    readonly propeller: K8sObject;
}

function render(values: FlyteDataPlaneValues): Rendered {
    const { docs, problems } = renderCoreValues(values, NAMESPACE, "data plane");
    const propeller = findDoc(docs, "Deployment", "flytepropeller", NAMESPACE);
    const config = configDirectory(docs, propeller, containerNamed(propeller, "flytepropeller"), NAMESPACE);
    return { docs, problems, config, propeller };
}

/** Kinds of the list that are cluster-scoped (the chart writes a namespace on the webhook's anyway, which is ignored). */
const CLUSTER_SCOPED = ["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"];

/** Each configuration rendered once for the file. */
const rendered = new Map<FlyteDataPlaneValues, Rendered>();
beforeAll(() => {
    for (const values of [SIGNED_IN, NO_SIGN_IN]) {
        rendered.set(values, render(values));
    }
});

function renderedOf(values: FlyteDataPlaneValues): Rendered {
    const r = rendered.get(values);
    if (r === undefined) {
        throw new Error("not rendered");
    }
    return r;
}

describe.each([
    ["with sign-in", SIGNED_IN],
    ["without sign-in", NO_SIGN_IN],
])("rendered, %s", (_, values) => {
    let r: Rendered;
    beforeAll(() => {
        r = renderedOf(values);
    });

    test("every object passes the Kubernetes schemas, strictly", () => {
        expect(r.problems).toEqual([]);
    });

    test("flytepropeller's objects and its webhook's, nothing else (no flyteadmin service account, database Secret or Ingress)", () => {
        expect(r.docs.map((d) => `${d.kind} ${d.metadata.name}`).sort()).toEqual(DATA_PLANE_CHART_OBJECTS);
        expect(r.docs.filter((d) => !CLUSTER_SCOPED.includes(d.kind) && d.metadata.namespace !== NAMESPACE)).toEqual([]);
    });

    test("propeller's service account carries its identity; its pods the checksum", () => {
        expect(annotationsOf(findDoc(r.docs, "ServiceAccount", "flytepropeller", NAMESPACE))).toEqual({ [IDENTITY_KEY]: PROPELLER_IDENTITY });
        expect(at(r.propeller, "spec", "template", "metadata", "annotations", "checksum/pulumi-secrets")).toBe("dp-checksum");
    });

    test("propeller reads the control plane's flyteadmin, datacatalog and metadata bucket, and writes raw outputs to the data plane's", () => {
        const { merged } = r.config;
        expect(at(merged, "admin", "endpoint")).toBe(values.configmap.admin.admin.endpoint);
        expect(at(merged, "admin", "insecure")).toBe(values.configmap.admin.admin.insecure);
        expect(recordAt(merged, "catalog-cache")).toEqual({ endpoint: "10.10.0.41:89", type: "datacatalog", insecure: true });
        expect(at(merged, "storage", "container")).toBe("acme-control-metadata");
        expect(at(merged, "storage", "stow", "config", "project_id")).toBe("acme-test");
        expect(at(merged, "propeller", "rawoutput-prefix")).toBe("gs://acme-gpu-rawdata/data");
        expect(at(merged, "propeller", "leader-election", "lock-config-map", "namespace")).toBe(NAMESPACE);
    });
});

describe("rendered: propeller's client secret", () => {
    let signedIn: Rendered;
    let plain: Rendered;
    beforeAll(() => {
        signedIn = renderedOf(SIGNED_IN);
        plain = renderedOf(NO_SIGN_IN);
    });

    test("with sign-in: the file it reads is the key of the Secret the program creates, which the chart does not render", () => {
        const file = stringAt(signedIn.config.merged, "admin", "clientSecretLocation");
        const { mount, relative } = mountContaining(containerNamed(signedIn.propeller, "flytepropeller"), file);
        expect([stringAt(podVolume(signedIn.propeller, mount.name), "secret", "secretName"), relative]).toEqual([
            DATA_PLANE_CLIENT_SECRET.secretName,
            DATA_PLANE_CLIENT_SECRET.key,
        ]);
        expect(signedIn.docs.filter((d) => d.kind === "Secret" && d.metadata.name === DATA_PLANE_CLIENT_SECRET.secretName)).toEqual([]);
        expect(at(signedIn.config.merged, "admin", "authType")).toBe("ClientSecret");
        expect(at(signedIn.config.merged, "admin", "tokenUrl")).toBeUndefined();
    });

    test("without: no Secret mounted and no auth type; the chart's client defaults stay, unread unless flyteadmin asked for a token", () => {
        expect(() => podVolume(plain.propeller, "auth")).toThrow("has no volume auth");
        expect(at(plain.config.merged, "admin", "authType")).toBeUndefined();
        // As in a standalone flyte-core without sign-in (templates' configmap.admin defaults).
        expect(at(plain.config.merged, "admin", "clientId")).toBe("flytepropeller");
    });
});

// ---- With an AWS control plane ----

describe("with an AWS control plane", () => {
    const controlPlane = testResolvedAwsControlPlane({ signIn: false }).output;
    const IRSA = "eks.amazonaws.com/role-arn";
    const values = flyteDataPlaneValues(
        input({
            controlPlane,
            propellerIdentity: { annotationKey: IRSA, value: TEST_AWS_DATA_PLANE.propellerRole },
            taskLogs: [],
            taskEnvironment: TEST_AWS_DATA_PLANE.taskEnvironment,
        }),
    );
    const RAW_PREFIX = `s3://${TEST_DATA_PLANE.ownRawDataBucket}/data`;

    test("storage: S3 in the control plane's region with the pod's IAM identity, on its metadata bucket; raw outputs to the data plane's", () => {
        expect(controlPlane.region).toBe("eu-central-1");
        expect(values.storage).toEqual({ type: "s3", bucketName: controlPlane.metadataBucket, s3: { region: "eu-central-1", authType: "iam" }, limits: { maxDownloadMBs: 10 } });
        expect(values.configmap.core.propeller).toEqual(propellerValues(input().flyte, RAW_PREFIX));
    });

    test("task pods get the platform's environment (EKS's IMDS settings); propeller its IRSA role", () => {
        expect(values.configmap.k8s).toEqual({
            plugins: { k8s: { "default-env-vars": [{ AWS_METADATA_SERVICE_TIMEOUT: "5" }, { AWS_METADATA_SERVICE_NUM_ATTEMPTS: "20" }] } },
        });
        expect(values.flytepropeller.serviceAccount).toEqual({ create: true, annotations: { [IRSA]: TEST_AWS_DATA_PLANE.propellerRole } });
    });

    test("flyteadmin and datacatalog: the control plane's, as on gcp", () => {
        expect(values.configmap.admin).toEqual({ admin: { endpoint: controlPlane.admin.endpoint, insecure: controlPlane.admin.insecure } });
        expect(values.configmap.catalog).toEqual({ "catalog-cache": { endpoint: controlPlane.datacatalog.endpoint, type: "datacatalog", insecure: true } });
    });

    describe("rendered by the chart", () => {
        let r: Rendered;
        beforeAll(() => {
            r = render(values);
        });

        test("every object passes the Kubernetes schemas; flytepropeller's and its webhook's objects alone", () => {
            expect(r.problems).toEqual([]);
            expect(r.docs.map((d) => `${d.kind} ${d.metadata.name}`).sort()).toEqual(DATA_PLANE_CHART_OBJECTS);
        });

        test("propeller's storage: s3 in the control plane's region, with its IAM identity, on the metadata bucket", () => {
            const { merged } = r.config;
            expect(recordAt(merged, "storage")).toMatchObject({
                type: "s3",
                container: controlPlane.metadataBucket,
                connection: { "auth-type": "iam", region: "eu-central-1" },
            });
            expect(at(merged, "storage", "connection", "endpoint")).toBeUndefined();
            expect(at(merged, "propeller", "rawoutput-prefix")).toBe(RAW_PREFIX);
        });

        test("propeller's task pods get the environment; its service account the IRSA role", () => {
            expect(at(r.config.merged, "plugins", "k8s", "default-env-vars")).toEqual([{ AWS_METADATA_SERVICE_TIMEOUT: "5" }, { AWS_METADATA_SERVICE_NUM_ATTEMPTS: "20" }]);
            expect(annotationsOf(findDoc(r.docs, "ServiceAccount", "flytepropeller", NAMESPACE))).toEqual({ [IRSA]: TEST_AWS_DATA_PLANE.propellerRole });
        });
    });
});
