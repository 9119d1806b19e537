import type { FlyteConfig } from "../contract/config";
import type { ControlPlaneOutput, GrpcEndpoint } from "../contract/multiCluster";
import type { TaskLogLink } from "../contract/platform";
import { CLIENT_SECRET_FILE } from "./authentication";
import type { ChartStorage } from "./commonValues";
import {
    ComponentValues,
    componentValues,
    CORE_ADMIN_CLIENT_SECRET,
    CoreStorageValues,
    PropellerValues,
    propellerValues,
    rawOutputPrefix,
    storageValues,
    TaskLogValues,
    taskLogValues,
    TaskPodDefaults,
    taskPodDefaults,
    WebhookValues,
    webhookValues,
} from "./coreValues";

/**
 * flyte-core's values for a data plane (`flyte:clusterRole: dataPlane`): the same chart and release as a
 * standalone flyte-core (FLYTE_CORE_CHART, FLYTE_CORE_RELEASE), with flytepropeller, its pod webhook and the
 * FlyteWorkflow CRD only. Everything else is the control plane's: propeller reports to its flyteadmin and caches
 * through its datacatalog, and writes metadata to its bucket. Pure.
 * Chart: https://github.com/flyteorg/flyte/tree/v1.16.8/charts/flyte-core (values-dataplane.yaml is upstream's take).
 */

/**
 * With sign-in: the Secret (created by the data plane's program, like a standalone one's) with the control plane's
 * internal client secret, which the chart mounts into flytepropeller at PROPELLER_SECRETS_DIR
 * (`secrets.adminOauthClientCredentials.secretName`, templates/propeller/deployment.yaml), and its key.
 */
export const DATA_PLANE_CLIENT_SECRET = { secretName: CORE_ADMIN_CLIENT_SECRET, key: CLIENT_SECRET_FILE } as const;
/** Where flytepropeller's pod sees that Secret (templates/propeller/deployment.yaml: volume `auth`). */
export const PROPELLER_SECRETS_DIR = "/etc/secrets";

export interface DataPlaneValuesInput {
    /** The data plane's Flyte config: Flyte's namespace, the projects, domains and namespace template propeller watches. */
    readonly flyte: FlyteConfig;
    /** The control plane as its stack publishes it: flyteadmin and datacatalog for propeller, the metadata bucket. */
    readonly controlPlane: ControlPlaneOutput;
    /** The bucket raw task outputs go to by default: the data plane's own, or the control plane's user-data bucket. */
    readonly rawDataBucket: string;
    /** flytepropeller's cloud identity: the service-account annotation the cluster reads, and its value. */
    readonly propellerIdentity: { readonly annotationKey: string; readonly value: string };
    /** Links from a task in the console to its logs in this cluster; each plugin given is switched on. */
    readonly taskLogs: readonly TaskLogLink[];
    /** Plain environment variables for task pods (`default-env-vars`); absent: none. */
    readonly taskEnvironment?: Readonly<Record<string, string>>;
    /** secretsChecksum() of the secrets the program hands propeller: a pod annotation, so a change restarts it. */
    readonly secretsChecksum: string;
}

/** flyteidl's admin client config (flyteidl/clients/go/admin/config.go at v1.16.8), as far as it is set here. */
export interface PropellerAdminClient {
    /** `host:port` of flyteadmin's gRPC API. */
    readonly endpoint: string;
    /** Plaintext (h2c) rather than TLS. */
    readonly insecure: boolean;
    /** With sign-in: the client flytepropeller calls flyteadmin as. */
    readonly clientId?: string;
    /** With sign-in: the file with its secret. */
    readonly clientSecretLocation?: string;
    /** With sign-in: OAuth2 client credentials (AuthType's name). */
    readonly authType?: "ClientSecret";
}

/** The typed subset of flyte-core's values a data plane sets. */
export interface FlyteDataPlaneValues {
    /** Off, and no service account of it either (the data plane's program creates the one flyteadmin uses there). */
    readonly flyteadmin: { readonly enabled: false; readonly serviceAccount: { readonly alwaysCreate: false } };
    readonly datacatalog: { readonly enabled: false };
    readonly flyteconsole: { readonly enabled: false };
    /** Off already in the chart's defaults; stated so that a chart upgrade cannot add it. */
    readonly flyteconnector: { readonly enabled: false };
    /** flytescheduler's templates all depend on it. */
    readonly workflow_scheduler: { readonly enabled: false };
    /** The control plane's cluster resource sync prepares this cluster's namespaces. */
    readonly cluster_resource_manager: { readonly enabled: false };
    readonly flytepropeller: ComponentValues & { readonly enabled: true };
    readonly webhook: WebhookValues & { readonly enabled: true };
    /** With sign-in, the Secret propeller mounts (DATA_PLANE_CLIENT_SECRET), not rendered by the chart; otherwise off. */
    readonly secrets: {
        readonly adminOauthClientCredentials:
            | { readonly enabled: false; readonly clientSecret: "" }
            | { readonly enabled: true; readonly clientSecret: ""; readonly clientId: string; readonly secretName: string };
    };
    /** The chart's Ingress is on by default. */
    readonly common: { readonly ingress: { readonly enabled: false } };
    /** The control plane's metadata bucket. */
    readonly storage: CoreStorageValues;
    /** Only what flytepropeller's ConfigMap (flyte-propeller-config) is rendered from. */
    readonly configmap: {
        /** Merged over the chart's `admin` (which keeps its `event` settings). */
        readonly admin: { readonly admin: PropellerAdminClient };
        readonly catalog: { readonly "catalog-cache": { readonly endpoint: string; readonly type: "datacatalog"; readonly insecure: boolean } };
        readonly core: { readonly propeller: PropellerValues };
        readonly k8s: { readonly plugins: { readonly k8s: TaskPodDefaults } };
        readonly task_logs: TaskLogValues;
    };
}

/**
 * propeller's admin client. With sign-in, client credentials with the control plane's internal client; the token
 * endpoint is not configured but discovered: flyteidl's client asks flyteadmin's GetOAuth2Metadata on `endpoint`
 * itself (flyteidl/clients/go/admin/token_source_provider.go), and flyteadmin answers with the authorized URI
 * whose host the call came to (flyteadmin/auth/handler_utils.go GetPublicURL), so over Flyte's HTTPS name a token
 * endpoint on that name, whose tokens carry the audience flyteadmin expects there. The scopes come from flyteadmin's
 * public client config, as in a standalone flyte-core. Without sign-in no credentials: the client only looks for a
 * token once flyteadmin answers Unauthenticated (flyteidl/clients/go/admin/auth_interceptor.go).
 */
function adminClient(admin: GrpcEndpoint, clientId: string | undefined): PropellerAdminClient {
    const endpoint = { endpoint: admin.endpoint, insecure: admin.insecure };
    if (clientId === undefined) {
        return endpoint;
    }
    return { ...endpoint, clientId, clientSecretLocation: `${PROPELLER_SECRETS_DIR}/${DATA_PLANE_CLIENT_SECRET.key}`, authType: "ClientSecret" };
}

export function flyteDataPlaneValues(input: DataPlaneValuesInput): FlyteDataPlaneValues {
    const { flyte, controlPlane } = input;
    const datacatalog = controlPlane.datacatalog;
    const buckets = { metadataBucket: controlPlane.metadataBucket, userDataBucket: input.rawDataBucket };
    // Every stack of a deployment is on the control plane's cloud (its GCP project; its AWS region, where the VPC is).
    const storage: ChartStorage =
        controlPlane.cloud === "gcp"
            ? { provider: "gcs", project: controlPlane.gcpProject, ...buckets }
            : { provider: "s3", region: controlPlane.region, ...buckets };
    const clientId = controlPlane.propellerClientId;
    return {
        flyteadmin: { enabled: false, serviceAccount: { alwaysCreate: false } },
        datacatalog: { enabled: false },
        flyteconsole: { enabled: false },
        flyteconnector: { enabled: false },
        workflow_scheduler: { enabled: false },
        cluster_resource_manager: { enabled: false },
        flytepropeller: {
            enabled: true,
            ...componentValues({ [input.propellerIdentity.annotationKey]: input.propellerIdentity.value }, input.secretsChecksum),
        },
        webhook: { enabled: true, ...webhookValues() },
        secrets: {
            // No clientSecret: the chart would render the Secret from it (templates/common/secret-auth.yaml).
            adminOauthClientCredentials:
                clientId === undefined
                    ? { enabled: false, clientSecret: "" }
                    : { enabled: true, clientSecret: "", clientId, secretName: DATA_PLANE_CLIENT_SECRET.secretName },
        },
        common: { ingress: { enabled: false } },
        storage: storageValues(storage),
        configmap: {
            admin: { admin: adminClient(controlPlane.admin, clientId) },
            catalog: { "catalog-cache": { endpoint: datacatalog.endpoint, type: "datacatalog", insecure: datacatalog.insecure } },
            core: { propeller: propellerValues(flyte, rawOutputPrefix(storage)) },
            k8s: { plugins: { k8s: taskPodDefaults(input.taskEnvironment) } },
            task_logs: taskLogValues(input.taskLogs),
        },
    };
}
