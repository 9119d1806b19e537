import * as gcp from "@pulumi/gcp";
import { secretsChecksum } from "../../../components/flyte/commonValues";
import type { FlyteMessaging } from "../../../components/contract/platform";
import type { Plan } from "../../../lib/plan/runPlan";
import { type DeclaredFlyte as Declared, declareFlyte, type Flavor } from "../../helpers/chartRender";
import { childrenOf, component, expectOnKubernetesProvider } from "../../helpers/components";
import { at, recordAt, stringMapAt } from "../../helpers/json";
import { byName, only } from "../../helpers/plan";
import { TEST_HOSTNAME, TEST_MESSAGING, TestMessagingVariant, withHttpsSignIn, withMessaging } from "../../helpers/testPlatforms";

/**
 * What the installation routine (flyteInstallation.ts) does with the platform's messaging, on both flavors: the
 * Secret with the email credentials (SendGrid's key, the SMTP password) in Flyte's namespace, named in the values
 * (so that the release waits for it) and part of the digest that restarts Flyte; flyteadmin's notifications and
 * events in the values with the platform's topics and queues; none of it without messaging.
 */

const DB_PASSWORD = "not-a-real-password-messaging-2718";
const SECRET = "kubernetes:core/v1:Secret";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const CREDENTIALS = [TEST_MESSAGING.sendgridApiKey, TEST_MESSAGING.smtp.password];

function declare(flavor: Flavor, messaging: TestMessagingVariant | FlyteMessaging | undefined, https = false): Promise<Declared> {
    return declareFlyte(flavor, {
        dbPassword: DB_PASSWORD,
        // What a platform puts among the release's dependencies for its messaging (a topic, a grant).
        releaseDependencies: () => [new gcp.pubsub.Topic("notifications-topic", { name: "flyte-test-notifications" })],
        platform: (platform) => {
            const served = https ? withHttpsSignIn(platform, { signIn: null }) : platform;
            return messaging === undefined ? served : withMessaging(served, messaging);
        },
    });
}

const values = (plan: Plan) => recordAt(only(plan, RELEASE).inputs, "values");
/** flyteadmin's notifications section as the values hold it, per flavor. */
const notificationsOf = (flavor: Flavor, plan: Plan) =>
    flavor === "binary" ? at(values(plan), "configuration", "inline", "notifications") : at(values(plan), "workflow_notifications", "config", "notifications");
const eventsOf = (flavor: Flavor, plan: Plan) => (flavor === "binary" ? at(values(plan), "configuration", "inline", "externalEvents") : at(values(plan), "external_events"));
/** The pods' checksum annotation: flyte-binary's pod, flyte-core's flyteadmin (every component has the same). */
const checksumOf = (flavor: Flavor, plan: Plan) =>
    flavor === "binary" ? at(values(plan), "deployment", "podAnnotations", "checksum/pulumi-secrets") : at(values(plan), "flyteadmin", "podAnnotations", "checksum/pulumi-secrets");
/** flyteadmin's extra volumes, per flavor. */
const adminVolumesOf = (flavor: Flavor, plan: Plan) =>
    flavor === "binary" ? at(values(plan), "deployment", "extraVolumes") : at(values(plan), "flyteadmin", "additionalVolumes");

describe.each(["binary", "core"] as const)("flyte-%s", (flavor) => {
    const release = flavor === "binary" ? "flyte-binary" : "flyte-core";
    const secretName = `${release}-email-credentials`;

    describe.each([
        ["gcp-sendgrid", "sendgrid_api_key", TEST_MESSAGING.sendgridApiKey],
        ["sandbox-smtp", "smtp_password", TEST_MESSAGING.smtp.password],
    ] as const)("with %s", (variant, file, credential) => {
        let d: Declared;
        beforeAll(async () => {
            d = await declare(flavor, variant);
        });
        const secret = () => byName(d.plan, SECRET, "flyte-email-credentials");

        test("a Secret in Flyte's namespace holds the credential, under the file flyteadmin reads, a Pulumi secret", async () => {
            expect(at(secret().inputs, "metadata")).toEqual({ name: secretName, namespace: "flyte", labels: { team: "ml" } });
            expect(secret().inputs.type).toBe("Opaque");
            expect(secret().inputs.stringData).toBe("[secret]");
            expect(stringMapAt(await d.capture.inputs(SECRET, "flyte-email-credentials"), "stringData")).toEqual({ [file]: credential });
        });

        test("it belongs to the installation, on the cluster's provider", () => {
            const installation = component(d.plan, flavor === "binary" ? "flyte:flyte:FlyteBinary" : "flyte:flyte:FlyteCore");
            expect(childrenOf(d.plan, installation).map((c) => c.urn)).toContain(secret().urn);
            expectOnKubernetesProvider(d.plan, [secret()], "cluster");
        });

        test("the release names it, so waits for it, as it waits for the platform's messaging", () => {
            expect(only(d.plan, RELEASE).dependencies).toEqual(expect.arrayContaining([secret().urn, byName(d.plan, "gcp:pubsub/topic:Topic", "notifications-topic").urn]));
            expect(adminVolumesOf(flavor, d.plan)).toContainEqual({ name: "email-credentials", secret: { secretName } });
        });

        test("the pods restart when the credential changes: it is part of the digest", () => {
            expect(checksumOf(flavor, d.plan)).toBe(secretsChecksum([DB_PASSWORD, "", credential]));
        });

        test("no credential in plain text anywhere in the plan: values, Secrets' inputs, outputs", () => {
            const text = JSON.stringify(d.plan);
            for (const value of CREDENTIALS) {
                expect(text).not.toContain(value);
            }
        });
    });

    test("aws with SES: the topic ARN, the queue and its account, the region; events to the SNS topic; no Secret", async () => {
        const { plan } = await declare(flavor, "aws-ses");
        const { aws } = TEST_MESSAGING;
        expect(notificationsOf(flavor, plan)).toMatchObject({
            type: "aws",
            aws: { region: aws.region },
            publisher: { topicName: aws.notificationsTopicArn },
            processor: { queueName: aws.notificationsQueue, accountId: aws.accountId },
            emailer: { sender: TEST_MESSAGING.sender },
        });
        expect(at(notificationsOf(flavor, plan), "emailer", "emailServerConfig")).toBeUndefined();
        expect(eventsOf(flavor, plan)).toMatchObject({ enable: true, type: "aws", aws: { region: aws.region }, eventsPublisher: { topicName: aws.eventsTopicArn, eventTypes: ["all"] } });
        expect(plan.resources.filter((r) => r.name === "flyte-email-credentials")).toEqual([]);
        expect(checksumOf(flavor, plan)).toBe(secretsChecksum([DB_PASSWORD, ""]));
    });

    test("gcp: topic and subscription by name in the project; events to the Pub/Sub topic", async () => {
        const { plan } = await declare(flavor, "gcp-sendgrid");
        const { gcp: names } = TEST_MESSAGING;
        expect(notificationsOf(flavor, plan)).toMatchObject({
            type: "gcp",
            gcp: { projectId: names.project },
            publisher: { topicName: names.notificationsTopic },
            processor: { queueName: names.notificationsSubscription },
            emailer: { emailServerConfig: { serviceName: "sendgrid", apiKeyFilePath: "/etc/flyte/email-credentials/sendgrid_api_key" } },
        });
        expect(eventsOf(flavor, plan)).toMatchObject({ enable: true, type: "gcp", gcp: { projectId: names.project }, eventsPublisher: { topicName: names.eventsTopic } });
    });

    test("SMTP without a login: the server, no Secret, no volume", async () => {
        const { plan } = await declare(flavor, "sandbox-smtp-no-login");
        expect(at(notificationsOf(flavor, plan), "emailer", "emailServerConfig")).toEqual({ serviceName: "smtp", smtpServer: TEST_MESSAGING.smtp.server, smtpPort: "25" });
        expect(plan.resources.filter((r) => r.type === SECRET).map((r) => r.name)).not.toContain("flyte-email-credentials");
        expect(JSON.stringify(adminVolumesOf(flavor, plan) ?? [])).not.toContain("email-credentials");
    });

    test("on Flyte's own name, each email links to the execution in the console", async () => {
        const { plan } = await declare(flavor, "sandbox-smtp", true);
        expect(String(at(notificationsOf(flavor, plan), "emailer", "body"))).toContain(`<a href="https://${TEST_HOSTNAME}/console/projects/`);
    });

    test.each(["aws", "gcp"] as const)("events alone (%s): the events section, no notifications, no Secret", async (type) => {
        const { plan } = await declare(flavor, `events-${type}`);
        expect(notificationsOf(flavor, plan)).toBeUndefined();
        expect(at(eventsOf(flavor, plan), "type")).toBe(type);
        expect(plan.resources.filter((r) => r.name === "flyte-email-credentials")).toEqual([]);
    });

    test("without messaging, or with an empty one, the same resources and values as before", async () => {
        const without = await declare(flavor, undefined);
        const empty = await declare(flavor, {});
        expect(notificationsOf(flavor, without.plan)).toBeUndefined();
        expect(eventsOf(flavor, without.plan)).toBeUndefined();
        expect(empty.plan.resources.map((r) => `${r.type} ${r.name}`)).toEqual(without.plan.resources.map((r) => `${r.type} ${r.name}`));
        expect(values(empty.plan)).toEqual(values(without.plan));
        expect(checksumOf(flavor, without.plan)).toBe(secretsChecksum([DB_PASSWORD, ""]));
    });
});
