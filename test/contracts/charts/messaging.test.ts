/**
 * Chart contract for flyteadmin's messaging, both charts: the values and Secrets the program declares for a
 * platform with notifications and execution events, rendered by the REAL upstream charts (`helm template`), must
 * give flyteadmin what Flyte v1.16.8 reads:
 *
 * - the configuration flyteadmin loads has a `notifications` section with the platform's topic and queue (ARN and
 *   queue name with its account on aws, topic and subscription names on gcp, the in-process channel on local) in
 *   its region or project, and an `externalEvents` section with the events topic; every key in them, at every
 *   depth, is one of flyteadmin's config structs (test/helpers/flyteadminConfig.ts, from its source), and the
 *   email templates reach flyteadmin with its own placeholders;
 * - the email credentials are where the config points: SendGrid's key at `apiKeyFilePath`, the SMTP password where
 *   flyteadmin's secret manager looks for `smtpPasswordSecretName`, each read from the Secret the program created,
 *   which only flyteadmin's container mounts;
 * - no credential appears in any ConfigMap, nor anywhere in what the chart renders;
 * - every object, rendered or declared, is valid against the Kubernetes schemas (strictly), and no container mounts
 *   two volumes at one path (with sign-in, /etc/secrets is taken).
 *
 * The program runs under the plan's mocks on a GCP-like platform with each messaging variant of
 * test/helpers/testPlatforms.ts; its Secrets' contents are captured before the plan masks them. Needs helm and the
 * packaged charts (test/helpers/helm.ts); it fails, never skips, when they are missing.
 */
import { mountedSecretFile } from "../../helpers/auth";
import { type Flavor, type RenderedFlyte as Rendered, renderFlyte } from "../../helpers/chartRender";
import { allContainers, configDirectory, containerNamed, flyteDeployment, secretFiles } from "../../helpers/flyte";
import { flyteadminSections, secretManagerLookup, unreadKeys } from "../../helpers/flyteadminConfig";
import { podSecretNames } from "../../helpers/coreChart";
import { findDoc, findDocs, K8sObject, volumeMounts } from "../../helpers/helm";
import { parseKubernetesYaml, planObjects, schemaReport } from "../../helpers/kubernetesSchemas";
import { TEST_MESSAGING, TEST_SIGN_IN, TestMessagingVariant, withHttpsSignIn, withMessaging } from "../../helpers/testPlatforms";
import { at, isRecord, JsonRecord, recordAt, stringAt } from "../../helpers/json";

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const NAMESPACE = "flyte";
const DB_PASSWORD = "not-a-real-db-password-for-messaging-1414";
const CREDENTIALS = [TEST_MESSAGING.sendgridApiKey, TEST_MESSAGING.smtp.password, DB_PASSWORD, TEST_SIGN_IN.clientSecret];
const CLUSTER_API_VERSIONS = ["apiextensions.k8s.io/v1/CustomResourceDefinition"];
const SECTIONS = flyteadminSections();
/** flyteadmin's placeholders, as an email template must reach it (async/notifications/email.go:15-16). */
const NAME_PLACEHOLDER = "{{ name }}";

interface Case {
    readonly variant: TestMessagingVariant;
    /** Served on its own name with sign-in: /etc/secrets is flyteadmin's auth volume. */
    readonly signIn: boolean;
}

const CASES: readonly Case[] = [
    { variant: "aws-ses", signIn: false },
    { variant: "gcp-sendgrid", signIn: false },
    { variant: "sandbox-smtp", signIn: true },
];

function render(flavor: Flavor, c: Case): Promise<Rendered> {
    return renderFlyte(flavor, {
        dbPassword: DB_PASSWORD,
        platform: (platform) => withMessaging(c.signIn ? withHttpsSignIn(platform) : platform, c.variant),
        namespace: NAMESPACE,
        apiVersions: CLUSTER_API_VERSIONS,
        what: c.variant,
    });
}

/** flyteadmin: its workload and container, and the configuration it loads. */
function admin(r: Rendered): { workload: K8sObject; container: JsonRecord; config: JsonRecord } {
    const workload = r.flavor === "binary" ? flyteDeployment(r.chartDocs) : findDoc(r.chartDocs, "Deployment", "flyteadmin", NAMESPACE);
    const container = containerNamed(workload, r.flavor === "binary" ? "flyte" : "flyteadmin");
    return { workload, container, config: configDirectory(r.docs, workload, container, NAMESPACE).merged };
}

/** A container's volume mounts; none when it has no `volumeMounts`. */
function mountsOf(container: JsonRecord): ReturnType<typeof volumeMounts> {
    return Array.isArray(at(container, "volumeMounts")) ? volumeMounts(container) : [];
}

/** What each variant's notifications section must say of the channel. */
function expectedChannel(variant: TestMessagingVariant): JsonRecord {
    const { aws, gcp } = TEST_MESSAGING;
    switch (variant) {
        case "aws-ses":
            return {
                type: "aws",
                aws: { region: aws.region },
                publisher: { topicName: aws.notificationsTopicArn },
                processor: { queueName: aws.notificationsQueue, accountId: aws.accountId },
            };
        case "gcp-sendgrid":
            return { type: "gcp", gcp: { projectId: gcp.project }, publisher: { topicName: gcp.notificationsTopic }, processor: { queueName: gcp.notificationsSubscription } };
        default:
            return { type: "sandbox" };
    }
}

/** What each variant's externalEvents section must say; undefined: none. */
function expectedEvents(variant: TestMessagingVariant): JsonRecord | undefined {
    const { aws, gcp } = TEST_MESSAGING;
    switch (variant) {
        case "aws-ses":
            return { enable: true, type: "aws", aws: { region: aws.region }, eventsPublisher: { topicName: aws.eventsTopicArn, eventTypes: ["all"] } };
        case "gcp-sendgrid":
            return { enable: true, type: "gcp", gcp: { projectId: gcp.project }, eventsPublisher: { topicName: gcp.eventsTopic, eventTypes: ["all"] } };
        default:
            return undefined;
    }
}

/** The file flyteadmin reads the email credential from, as its config and its secret manager resolve it; undefined for SES. */
function credentialFile(config: JsonRecord, container: JsonRecord): string | undefined {
    const server = at(config, "notifications", "emailer", "emailServerConfig");
    switch (at(server, "serviceName")) {
        case "sendgrid":
            // sendgrid_emailer.go:61-71: an environment variable if named, else the file.
            expect(at(server, "apiKeyEnvVar") ?? "").toBe("");
            return stringAt(server, "apiKeyFilePath");
        case "smtp": {
            const lookup = secretManagerLookup(stringAt(server, "smtpPasswordSecretName"));
            // secrets.go:25-30: an environment variable of that name would win over the file.
            const env = at(container, "env");
            expect((Array.isArray(env) ? env : []).map((e) => at(e, "name"))).not.toContain(lookup.envVar);
            return lookup.file;
        }
        default:
            return undefined;
    }
}

describe.each(["binary", "core"] as const)("flyte-%s with messaging, rendered by the real chart", (flavor) => {
    describe.each(CASES.map((c) => [`${c.variant}${c.signIn ? ", with sign-in" : ""}`, c] as const))("%s", (_, c) => {
        let r: Rendered;

        beforeAll(async () => {
            r = await render(flavor, c);
        }, 10 * 60 * 1000);

        test("every object, rendered or declared, is valid against the Kubernetes schemas; no two mounts at one path", () => {
            const rendered = parseKubernetesYaml(r.text, `helm template (${flavor})`);
            expect(rendered.problems).toEqual([]);
            expect(schemaReport(rendered.documents).problems).toEqual([]);
            const declared = planObjects(r.plan);
            expect(declared.problems).toEqual([]);
            expect(schemaReport(declared.documents, { placeholder: (v) => v === "[secret]" }).problems).toEqual([]);
            for (const workload of findDocs(r.chartDocs, "Deployment")) {
                for (const container of allContainers(workload)) {
                    const paths = mountsOf(container).map((m) => m.mountPath.replace(/\/+$/, ""));
                    expect([`${workload.metadata.name}/${String(at(container, "name"))}`, paths.length]).toEqual([`${workload.metadata.name}/${String(at(container, "name"))}`, new Set(paths).size]);
                }
            }
        });

        test("flyteadmin loads a notifications section with the platform's topic and queue, in its region or project", () => {
            const notifications = recordAt(admin(r).config, "notifications");
            expect(notifications).toMatchObject(expectedChannel(c.variant));
            expect(at(notifications, "emailer", "sender")).toBe(TEST_MESSAGING.sender);
        });

        test("every key of flyteadmin's notifications and externalEvents, at every depth, is one flyteadmin v1.16.8 reads", () => {
            const config = admin(r).config;
            expect(unreadKeys(SECTIONS.notifications, at(config, "notifications"))).toEqual([]);
            if (at(config, "externalEvents") !== undefined) {
                expect(unreadKeys(SECTIONS.externalEvents, at(config, "externalEvents"))).toEqual([]);
            }
        });

        test("the email templates reach flyteadmin with its own placeholders", () => {
            const emailer = recordAt(admin(r).config, "notifications", "emailer");
            expect(stringAt(emailer, "subject")).toContain(NAME_PLACEHOLDER);
            expect(stringAt(emailer, "body")).toContain(NAME_PLACEHOLDER);
            expect(`${stringAt(emailer, "subject")} ${stringAt(emailer, "body")}`).not.toContain('"{{"');
        });

        test("the execution events go to the platform's topic (or, without one, are off)", () => {
            const events = at(admin(r).config, "externalEvents");
            const expected = expectedEvents(c.variant);
            if (expected === undefined) {
                expect(at(events, "enable") ?? false).toBe(false);
            } else {
                expect(events).toMatchObject(expected);
            }
        });

        test("the email credential is where the config points, from the Secret the program created", () => {
            const a = admin(r);
            const file = credentialFile(a.config, a.container);
            if (c.variant === "aws-ses") {
                // SES: flyteadmin's own identity sends; no credential, no Secret.
                expect(file).toBeUndefined();
                expect(r.programSecrets.map((s) => s.metadata.name)).not.toContain(`flyte-${flavor}-email-credentials`);
                return;
            }
            expect(file).toBeDefined();
            const read = mountedSecretFile(r.docs, a.workload, a.container, file as string, NAMESPACE);
            expect(read.content).toBe(c.variant === "gcp-sendgrid" ? TEST_MESSAGING.sendgridApiKey : TEST_MESSAGING.smtp.password);
            expect(read.secret).toBe(`flyte-${flavor}-email-credentials`);
            expect(r.programSecrets.map((s) => s.metadata.name)).toContain(read.secret);
        });

        test("only flyteadmin's container mounts the email credentials", () => {
            const secret = `flyte-${flavor}-email-credentials`;
            const a = admin(r);
            const mounting = findDocs(r.chartDocs, "Deployment")
                .filter((d) => podSecretNames(d).includes(secret))
                .flatMap((d) => {
                    const volumes = (at(d, "spec", "template", "spec", "volumes") as unknown[]).filter((v) => at(v, "secret", "secretName") === secret).map((v) => at(v, "name"));
                    return allContainers(d)
                        .filter((container) => mountsOf(container).some((m) => volumes.includes(m.name)))
                        .map((container) => `${d.metadata.name}/${String(at(container, "name"))}`);
                });
            expect(mounting).toEqual(c.variant === "aws-ses" ? [] : [`${a.workload.metadata.name}/${String(at(a.container, "name"))}`]);
        });

        test("no credential in any ConfigMap, nor anywhere in what the chart renders or the values", () => {
            const configMaps = findDocs(r.chartDocs, "ConfigMap");
            expect(configMaps.length).toBeGreaterThan(0);
            for (const configMap of configMaps) {
                const text = JSON.stringify(configMap);
                expect([configMap.metadata.name, CREDENTIALS.filter((s) => text.includes(s))]).toEqual([configMap.metadata.name, []]);
            }
            expect(CREDENTIALS.filter((s) => r.text.includes(s) || JSON.stringify(r.values).includes(s))).toEqual([]);
            for (const secret of findDocs(r.chartDocs, "Secret")) {
                const files = Object.values(secretFiles(secret)).join("\n");
                expect([secret.metadata.name, CREDENTIALS.some((s) => files.includes(s))]).toEqual([secret.metadata.name, false]);
            }
        });

        if (flavor === "core") {
            test("the sections are in flyteadmin's base config, which its own files load (notifications.yaml, external_events.yaml)", () => {
                const base = findDoc(r.chartDocs, "ConfigMap", "flyte-admin-base-config", NAMESPACE);
                const data = isRecord(base.data) ? Object.keys(base.data) : [];
                expect(data).toContain("notifications.yaml");
                expect(data.includes("external_events.yaml")).toBe(expectedEvents(c.variant) !== undefined);
            });
        }
    });
});
