/**
 * Chart contract for the EKS target: the values the program hands the flyte-binary release on the `eks` stack,
 * rendered by the REAL upstream chart (`helm template`), must fit the rest of the plan: the backend runs as the
 * ServiceAccount the backend role trusts and is annotated with that role; Flyte's cluster resource controller
 * gives every project-domain namespace a `default` account annotated with the worker role, which trusts exactly
 * those accounts; Flyte talks to S3 with its IAM identity and to RDS over TLS; task logs link to CloudWatch; the
 * internal NLB reaches the Flyte pods.
 *
 * Needs helm and the packaged chart; see test/helpers/helm.ts (HELM_BIN, FLYTE_BINARY_CHART). It fails, never
 * skips, when they are missing.
 */
import { parse } from "yaml";
import { mockPassword } from "../../../lib/plan/mocks";
import type { RecordedResource } from "../../../lib/plan/monitor";
import { awsConsoleHost, consoleLinkTarget, serviceAccountSubject, webIdentityTrust, WebIdentityTrust } from "../../helpers/aws";
import {
    annotationsOf,
    binaryClusterResources,
    binaryConfigFile,
    ConfigDirectory,
    expectedTaskNamespaceSync,
    flyteConfigDirectory,
    flyteContainer,
    flyteDeployment,
    mergedOneKeyMaps,
    taskNamespaceSync,
} from "../../helpers/flyte";
import { beforeAllRendered, chartMetadata, findDoc, mountContaining, podVolume, selects } from "../../helpers/helm";
import { arrayAt, at, pathsContaining, recordAt, stringAt, stringMapAt } from "../../helpers/json";
import { mocked, ofType, only, stringOutput } from "../../helpers/plan";
import { readStackSettings } from "../../helpers/stackSettings";

const STACK = "eks";

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
const WORKER_KSA = "default";
const POSTGRES_PORT = 5432;
const FLYTE_HTTP_CONTAINER_PORT = 8088;
const FLYTE_GRPC_CONTAINER_PORT = 8089;
/** As in the flyte-binary chart's EKS examples. */
const TASK_ENVIRONMENT = { AWS_METADATA_SERVICE_TIMEOUT: "5", AWS_METADATA_SERVICE_NUM_ATTEMPTS: "20" };
const ROLE = "aws:iam/role:Role";

const settings = readStackSettings(STACK);

const ctx = beforeAllRendered(STACK);
let config: ConfigDirectory;

beforeAll(() => {
    config = flyteConfigDirectory(ctx().docs, ctx().namespace);
});

// ---- What the plan says ----

const output = (key: string) => stringOutput(ctx().plan, key);

/** The IAM role the mocks gave this ARN. */
function roleByArn(arn: string): RecordedResource {
    const found = ofType(ctx().plan, ROLE).filter((r) => at(mocked(r).state, "arn") === arn);
    if (found.length !== 1) {
        throw new Error(`expected one IAM role with ARN ${arn}, found ${found.length}`);
    }
    return found[0];
}

function trustOf(role: RecordedResource): WebIdentityTrust {
    const statements = webIdentityTrust(role.inputs.assumeRolePolicy, role.name);
    if (statements.length !== 1) {
        throw new Error(`${role.name}'s trust policy has ${statements.length} statements, expected one`);
    }
    return statements[0];
}

// ---- The contract ----

test("renders the chart the program installs (same name and version)", () => {
    expect(chartMetadata(ctx().chart, ctx().helm)).toEqual({
        name: stringAt(ctx().release.inputs, "chart"),
        version: stringAt(ctx().release.inputs, "version"),
    });
});

test("the backend runs as the ServiceAccount the backend role trusts, annotated with that role", () => {
    const backendArn = output("backendServiceAccount");
    const trust = trustOf(roleByArn(backendArn));

    const deployment = flyteDeployment(ctx().docs);
    const serviceAccountName = stringAt(deployment, "spec", "template", "spec", "serviceAccountName");
    const serviceAccount = findDoc(ctx().docs, "ServiceAccount", serviceAccountName, deployment.metadata.namespace);
    expect(serviceAccount.metadata.namespace).toBe(ctx().namespace);
    expect(trust.subjects).toEqual([serviceAccountSubject(ctx().namespace, serviceAccount.metadata.name)]);
    expect(annotationsOf(serviceAccount)[IRSA_ANNOTATION]).toBe(backendArn);
    // The token must be mounted for the IRSA webhook's projected token to be used.
    expect(at(deployment, "spec", "template", "spec", "automountServiceAccountToken")).not.toBe(false);
    expect(at(serviceAccount, "automountServiceAccountToken")).not.toBe(false);
});

test("every project-domain namespace gets a default account annotated with the worker role, which trusts exactly those", () => {
    const workerArn = output("workerServiceAccount");
    const trust = trustOf(roleByArn(workerArn));
    const projects = settings.strings("flyteProjects");
    const domains = settings.strings("flyteDomains");

    // Flyte syncs namespaces for the projects it knows (seeded) and the domains it is configured with, from the
    // templates mounted at templatePath.
    const sync = binaryClusterResources(ctx());
    expect(sync.seededProjects).toEqual([...projects].sort());
    expect(sync.domains).toEqual(domains);
    expect(sync.mountedAtTemplatePath).toBeDefined();
    expect(sync.mountedAtTemplatePath).toContain(sync.templatesConfigMap);

    const results = sync.simulate(projects, domains).map((r) => taskNamespaceSync(r, WORKER_KSA, IRSA_ANNOTATION));
    expect(results.length).toBe(projects.length * domains.length);
    expect(results).toEqual(expectedTaskNamespaceSync(settings.string("namespaceTemplate"), projects, domains, workerArn));

    // The worker role trusts exactly these accounts, no more, no fewer.
    const subjects = new Set(
        results.flatMap((r) => r.accounts.map((a) => serviceAccountSubject(String(a.namespace), WORKER_KSA))),
    );
    expect([...subjects].sort()).toEqual([...trust.subjects].sort());
});

test("storage: S3 in the configured region with the pod's IAM identity, no endpoint, on the plan's buckets", () => {
    const storage = binaryConfigFile(ctx(), "003-storage.yaml");
    const metadataBucket = output("metadataBucket");
    const userDataBucket = output("userDataBucket");
    expect({
        type: at(storage, "storage", "type"),
        kind: at(storage, "storage", "stow", "kind"),
        authType: at(storage, "storage", "stow", "config", "auth_type"),
        region: at(storage, "storage", "stow", "config", "region"),
        endpoint: at(storage, "storage", "stow", "config", "endpoint"),
        container: at(storage, "storage", "container"),
        rawOutputPrefix: at(storage, "propeller", "rawoutput-prefix"),
    }).toEqual({
        type: "stow",
        kind: "s3",
        authType: "iam",
        region: settings.provider("aws:region"),
        endpoint: undefined,
        container: metadataBucket,
        rawOutputPrefix: `s3://${userDataBucket}/data`,
    });
    // The containers are the plan's two buckets.
    expect([metadataBucket, userDataBucket].sort()).toEqual(
        ofType(ctx().plan, "aws:s3/bucket:Bucket")
            .map((b) => String(b.inputs.bucket))
            .sort(),
    );

    // Nothing Flyte loads after it switches to keys or another endpoint.
    expect(Object.keys(config.files)).toContain("003-storage.yaml");
    expect(config.externalSecrets).toEqual([]);
    const stow = recordAt(config.merged, "storage", "stow");
    expect({
        kind: stow.kind,
        authType: at(stow, "config", "auth_type"),
        endpoint: at(stow, "config", "endpoint"),
        keys: [at(stow, "config", "access_key_id"), at(stow, "config", "secret_key")],
        container: at(config.merged, "storage", "container"),
    }).toEqual({ kind: "s3", authType: "iam", endpoint: undefined, keys: [undefined, undefined], container: metadataBucket });
});

test("database: the RDS instance's address over TLS, the password from the program's Secret", () => {
    const instance = only(ctx().plan, "aws:rds/instance:Instance");
    const address = stringAt(mocked(instance).state, "address");
    expect(output("databaseHost")).toBe(address);

    const postgres = recordAt(binaryConfigFile(ctx(), "002-database.yaml"), "database", "postgres");
    expect({
        host: postgres.host,
        port: postgres.port,
        dbname: postgres.dbname,
        username: postgres.username,
        options: postgres.options,
        password: postgres.password,
    }).toEqual({
        host: address,
        port: instance.inputs.port ?? POSTGRES_PORT,
        dbname: instance.inputs.dbName,
        username: instance.inputs.username,
        options: "sslmode=require",
        password: undefined,
    });
    expect(at(config.merged, "database", "postgres", "options")).toBe("sslmode=require");
    expect(at(config.merged, "database", "postgres", "host")).toBe(address);

    // The password file is read through a mount of the Secret this program creates, in the release's namespace.
    const secrets = ofType(ctx().plan, "kubernetes:core/v1:Secret");
    expect(secrets).toHaveLength(1);
    const [secret] = secrets;
    expect(at(secret.inputs, "metadata", "namespace")).toBe(ctx().namespace);
    const { mount, relative } = mountContaining(flyteContainer(ctx().docs), stringAt(postgres, "passwordPath"));
    const volume = podVolume(flyteDeployment(ctx().docs), mount.name);
    expect(at(volume, "secret", "secretName")).toBe(at(secret.inputs, "metadata", "name"));
    expect(relative).toMatch(/^[^/]+$/);

    // No password in the values or the render.
    const passwords = ofType(ctx().plan, "random:index/randomPassword:RandomPassword").map((r) => mockPassword(r.name));
    expect(passwords.length).toBeGreaterThan(0);
    for (const password of passwords) {
        expect(pathsContaining(ctx().values, password)).toEqual([]);
        expect(ctx().rendered.includes(password)).toBe(false);
    }
});

test("task logs: CloudWatch links to the cluster's container log group; task pods get the metadata-service settings", () => {
    const region = settings.provider("aws:region");
    const clusterName = output("clusterName");
    const logs = recordAt(config.merged, "plugins", "logs");
    const uri = logs["cloudwatch-template-uri"];
    expect({
        kubernetes: logs["kubernetes-enabled"],
        cloudwatch: logs["cloudwatch-enabled"],
        stackdriver: logs["stackdriver-enabled"],
        uri: typeof uri,
    }).toEqual({ kubernetes: false, cloudwatch: true, stackdriver: false, uri: "string" });
    const text = String(uri);
    // Exactly the link the program computed, as Flyte reads it after the chart pasted it into YAML.
    expect(text).toBe(parse(stringAt(ctx().values, "configuration", "logging", "plugins", "cloudwatch", "templateUri")));
    expect(text.startsWith("https://")).toBe(true);
    expect(consoleLinkTarget(text)).toEqual({ host: awsConsoleHost(region), path: "/cloudwatch/home", region });
    const group = /#logsV2:log-groups\/log-group\/([^/]+)\/log-events/.exec(text)?.[1] ?? "";
    expect(decodeURIComponent(group.split("$25").join("%"))).toBe(`/aws/containerinsights/${clusterName}/application`);
    expect(text).toContain("{{ .podName }}");
    // Array tasks link the same way.
    expect(recordAt(config.merged, "plugins", "k8s-array", "logs", "config")).toMatchObject({
        "cloudwatch-enabled": true,
        "cloudwatch-template-uri": text,
    });

    const env = mergedOneKeyMaps(at(config.merged, "plugins", "k8s", "default-env-vars"), "plugins.k8s.default-env-vars");
    expect(env).toMatchObject(TASK_ENVIRONMENT);
});

test("the internal NLB selects exactly the Flyte pods and targets their http and grpc ports", () => {
    const lb = only(ctx().plan, "kubernetes:core/v1:Service");
    const deployment = flyteDeployment(ctx().docs);
    expect(at(lb.inputs, "spec", "type")).toBe("LoadBalancer");
    expect(stringAt(lb.inputs, "metadata", "namespace")).toBe(deployment.metadata.namespace);

    const selector = stringMapAt(lb.inputs, "spec", "selector");
    const podLabels = stringMapAt(deployment, "spec", "template", "metadata", "labels");
    const matchLabels = stringMapAt(deployment, "spec", "selector", "matchLabels");
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect(selects(selector, podLabels)).toBe(true);
    // Only pods the Deployment claims: matchLabels ⊆ selector.
    expect(selects(matchLabels, selector)).toBe(true);
    const workloads = ctx().docs.filter((d) => ["Deployment", "StatefulSet", "DaemonSet"].includes(d.kind));
    expect(
        workloads
            .filter((w) => selects(selector, stringMapAt(w, "spec", "template", "metadata", "labels")))
            .map((w) => w.metadata.name),
    ).toEqual([deployment.metadata.name]);

    const containerPorts = new Map(arrayAt(flyteContainer(ctx().docs), "ports").map((p) => [at(p, "name"), at(p, "containerPort")]));
    const ports = arrayAt(lb.inputs, "spec", "ports")
        .map((p) => ({ port: at(p, "port"), containerPort: containerPorts.get(at(p, "targetPort")) }))
        .sort((a, b) => Number(a.port) - Number(b.port));
    expect(ports).toEqual([
        { port: 8088, containerPort: FLYTE_HTTP_CONTAINER_PORT },
        { port: 8089, containerPort: FLYTE_GRPC_CONTAINER_PORT },
    ]);
});
