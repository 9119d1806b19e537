import type { ChartAuthentication } from "../../../components/flyte/authentication";
import { CORE_ADMIN_CLIENT_ROLE, CORE_OIDC_CLIENT_ROLE, coreNotificationValues, flyteCoreValues, FlyteCoreValuesInput } from "../../../components/flyte/coreValues";
import { ChartMessaging, ChartNotifications, EMAIL_CREDENTIALS_DIR, externalEventsConfig, notificationsConfig, tplEscaped } from "../../../components/flyte/messaging";
import { gcpStackConfig } from "../../helpers/config";
import { flyteadminSections, unreadKeys } from "../../helpers/flyteadminConfig";

/**
 * flyteCoreValues with the platform's messaging: flyteadmin's notifications as `workflow_notifications` (which the
 * chart writes into notifications.yaml key by key), execution events as `external_events`, and the email
 * credentials' Secret mounted into flyteadmin beside what sign-in mounts. Without messaging, the values of before.
 */

const SECTIONS = flyteadminSections();

function input(): FlyteCoreValuesInput {
    return {
        flyte: gcpStackConfig({ "flyte:flavor": "core", "flyte:flyteProjects": JSON.stringify(["alpha"]) }).flyte,
        database: { host: "10.32.0.3", port: 5432, name: "flytedb", username: "flyteuser", options: "sslmode=require", passwordSecret: "db-password" },
        storage: { provider: "gcs", project: "acme-flyte-prod", metadataBucket: "meta", userDataBucket: "data" },
        identity: {
            annotationKey: "iam.gke.io/gcp-service-account",
            components: { flyteadmin: "admin@x", flytepropeller: "propeller@x", datacatalog: "catalog@x", flytescheduler: "scheduler@x" },
            worker: { kind: "shared", annotationKey: "iam.gke.io/gcp-service-account", identity: "worker@x" },
        },
        taskLogs: [],
        secretsChecksum: "checksum-from-input",
        replicas: 2,
    };
}

const GCP_SENDGRID: ChartNotifications = {
    channel: { type: "gcp", project: "acme-flyte-prod", topic: "flyte-notifications", subscription: "flyte-notifications-admin" },
    sender: "flyte@ml.example.com",
    email: { service: "sendgrid" },
    credentialsSecret: "email-credentials-from-the-secret",
    consoleUrl: "https://flyte.ml.example.com/console",
};
const MESSAGING: ChartMessaging = {
    notifications: GCP_SENDGRID,
    events: { type: "gcp", project: "acme-flyte-prod", topic: "flyte-events" },
};
const AUTHENTICATION: ChartAuthentication = {
    hostname: "flyte.ml.example.com",
    oidc: { issuerUrl: "https://idp.example.com", clientId: "app-id", scopes: ["openid"] },
    internalClientSecretHash: "$2a$10$internal",
    ciClientSecretHash: "$2a$10$ci",
    secrets: { [CORE_ADMIN_CLIENT_ROLE]: "admin-client", [CORE_OIDC_CLIENT_ROLE]: "oidc-client" },
};

const plain = flyteCoreValues(input());
const withMessaging = flyteCoreValues({ ...input(), messaging: MESSAGING });

test("without messaging (or with none of it), exactly the values of before: the chart's notifications and events stay off", () => {
    expect(plain.workflow_notifications).toBeUndefined();
    expect(plain.external_events).toBeUndefined();
    expect(flyteCoreValues({ ...input(), messaging: undefined })).toEqual(plain);
    expect(flyteCoreValues({ ...input(), messaging: {} })).toEqual(plain);
});

test("workflow_notifications: on, with flyteadmin's notifications section, escaped where the chart renders it through tpl", () => {
    const notifications = withMessaging.workflow_notifications?.config.notifications;
    expect(withMessaging.workflow_notifications?.enabled).toBe(true);
    // type is interpolated as it is and emailer written with toYaml; gcp, publisher and processor go through tpl.
    const { emailer, ...rest } = notificationsConfig(GCP_SENDGRID);
    expect(notifications).toEqual({ ...tplEscaped(rest), emailer });
    expect(notifications?.emailer.subject).toContain("{{ name }}");
    expect(unreadKeys(SECTIONS.notifications, notifications)).toEqual([]);
    expect(coreNotificationValues(GCP_SENDGRID)).toEqual(withMessaging.workflow_notifications);
});

test("external_events: flyteadmin's externalEvents section, escaped for tpl", () => {
    expect(withMessaging.external_events).toEqual(tplEscaped(externalEventsConfig({ type: "gcp", project: "acme-flyte-prod", topic: "flyte-events" })));
    expect(unreadKeys(SECTIONS.externalEvents, withMessaging.external_events)).toEqual([]);
});

test("flyteadmin mounts the email credentials; no other component does", () => {
    expect(withMessaging.flyteadmin.additionalVolumes).toEqual([{ name: "email-credentials", secret: { secretName: "email-credentials-from-the-secret" } }]);
    expect(withMessaging.flyteadmin.additionalVolumeMounts).toEqual([{ name: "email-credentials", mountPath: EMAIL_CREDENTIALS_DIR, readOnly: true }]);
    expect(JSON.stringify({ ...withMessaging, flyteadmin: undefined })).not.toContain("email-credentials-from-the-secret");
});

test("with sign-in too: the provider's client secret and the email credentials, both mounted into flyteadmin", () => {
    const both = flyteCoreValues({ ...input(), authentication: AUTHENTICATION, messaging: MESSAGING });
    expect(both.flyteadmin.additionalVolumes?.map((v) => `${v.name}:${v.secret.secretName}`)).toEqual(["oidc-client:oidc-client", "email-credentials:email-credentials-from-the-secret"]);
    expect(both.flyteadmin.additionalVolumeMounts?.map((m) => m.mountPath)).toEqual(["/etc/flyte/oidc-client", EMAIL_CREDENTIALS_DIR]);
    const signedIn = flyteCoreValues({ ...input(), authentication: AUTHENTICATION });
    expect(signedIn.flyteadmin.additionalVolumes).toHaveLength(1);
});

test("without credentials (SES), no volume; events alone set no notifications", () => {
    const ses = flyteCoreValues({
        ...input(),
        messaging: { notifications: { channel: { type: "aws", region: "eu-west-1", topicArn: "arn:aws:sns:eu-west-1:1:t", queueName: "q", accountId: "1" }, sender: "a@b.io", email: { service: "ses" } } },
    });
    expect(ses.flyteadmin.additionalVolumes).toBeUndefined();
    expect(ses.workflow_notifications?.config.notifications.type).toBe("aws");
    expect(ses.external_events).toBeUndefined();
    const events = flyteCoreValues({ ...input(), messaging: { events: MESSAGING.events } });
    expect(events.workflow_notifications).toBeUndefined();
    expect(events.external_events?.enable).toBe(true);
});

test("and nothing else changes", () => {
    const { workflow_notifications: _n, external_events: _e, ...rest } = withMessaging;
    const { additionalVolumes: _v, additionalVolumeMounts: _m, ...flyteadmin } = rest.flyteadmin;
    expect({ ...rest, flyteadmin }).toEqual(plain);
});
