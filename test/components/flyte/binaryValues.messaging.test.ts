import { EMAIL_CREDENTIALS_SECRET, flyteBinaryValues, FlyteBinaryValuesInput } from "../../../components/flyte/binaryValues";
import { ChartMessaging, ChartNotifications, EMAIL_CREDENTIALS_DIR, externalEventsConfig, notificationsConfig, tplEscaped } from "../../../components/flyte/messaging";
import { gcpStackConfig } from "../../helpers/config";
import { flyteadminSections, unreadKeys } from "../../helpers/flyteadminConfig";
import { renderEscapedTpl } from "../../helpers/flyteCoreFixtures";
import { stringsIn } from "../../helpers/json";

/**
 * flyteBinaryValues with the platform's messaging: flyteadmin's notifications and externalEvents sections in the
 * inline config (rendered through `tpl`), and the email credentials' Secret mounted into the Flyte pod. Without
 * messaging, the values of before.
 */

const SECTIONS = flyteadminSections();

function input(): FlyteBinaryValuesInput {
    return {
        flyte: gcpStackConfig({ "flyte:flyteProjects": JSON.stringify(["alpha"]) }).flyte,
        database: { host: "10.32.0.3", port: 5432, name: "flytedb", username: "flyteuser", options: "sslmode=require", passwordSecret: "db-password" },
        storage: { provider: "gcs", project: "acme-flyte-prod", metadataBucket: "meta", userDataBucket: "data" },
        identity: {
            annotationKey: "iam.gke.io/gcp-service-account",
            backend: "backend@x",
            worker: { kind: "shared", annotationKey: "iam.gke.io/gcp-service-account", identity: "worker@x" },
        },
        taskLogs: [],
        labels: { team: "ml" },
        secretsChecksum: "checksum-from-input",
    };
}

const SANDBOX_SMTP: ChartNotifications = {
    channel: { type: "sandbox" },
    sender: "flyte@ml.example.com",
    email: { service: "smtp", server: "smtp.example.com", port: 587, username: "flyte-mailer" },
    credentialsSecret: EMAIL_CREDENTIALS_SECRET,
};
const MESSAGING: ChartMessaging = {
    notifications: SANDBOX_SMTP,
    events: { type: "aws", region: "eu-west-1", topicArn: "arn:aws:sns:eu-west-1:123456789012:flyte-events" },
};

const plain = flyteBinaryValues(input());
const withMessaging = flyteBinaryValues({ ...input(), messaging: MESSAGING });
const inline = withMessaging.configuration.inline;

test("the credentials Secret's name", () => {
    expect(EMAIL_CREDENTIALS_SECRET).toBe("flyte-binary-email-credentials");
});

test("without messaging (or with none of it), exactly the values of before", () => {
    expect(plain.configuration.inline.notifications).toBeUndefined();
    expect(plain.configuration.inline.externalEvents).toBeUndefined();
    expect(flyteBinaryValues({ ...input(), messaging: undefined })).toEqual(plain);
    expect(flyteBinaryValues({ ...input(), messaging: {} })).toEqual(plain);
});

test("inline: flyteadmin's notifications and externalEvents sections, escaped for the chart's tpl, and only keys flyteadmin reads", () => {
    expect(inline.notifications).toEqual(tplEscaped(notificationsConfig(SANDBOX_SMTP)));
    expect(inline.externalEvents).toEqual(tplEscaped(externalEventsConfig({ type: "aws", region: "eu-west-1", topicArn: "arn:aws:sns:eu-west-1:123456789012:flyte-events" })));
    // What tpl gives back is flyteadmin's placeholders, unchanged.
    const subject = stringsIn(inline.notifications).find((s) => s.path === "emailer.subject")?.value ?? "";
    expect(renderEscapedTpl(subject)).toBe(notificationsConfig(SANDBOX_SMTP).emailer.subject);
    expect(unreadKeys(SECTIONS.notifications, inline.notifications)).toEqual([]);
    expect(unreadKeys(SECTIONS.externalEvents, inline.externalEvents)).toEqual([]);
});

test("the Flyte pod mounts the credentials Secret read-only where the config points, after its own volumes", () => {
    expect(withMessaging.deployment.extraVolumes).toEqual([...plain.deployment.extraVolumes, { name: "email-credentials", secret: { secretName: EMAIL_CREDENTIALS_SECRET } }]);
    expect(withMessaging.deployment.extraVolumeMounts).toEqual([
        ...plain.deployment.extraVolumeMounts,
        { name: "email-credentials", mountPath: EMAIL_CREDENTIALS_DIR, readOnly: true },
    ]);
});

test("events alone: no notifications, no volume", () => {
    const events = flyteBinaryValues({ ...input(), messaging: { events: MESSAGING.events } });
    expect(events.configuration.inline.notifications).toBeUndefined();
    expect(events.configuration.inline.externalEvents?.type).toBe("aws");
    expect(events.deployment.extraVolumes).toEqual(plain.deployment.extraVolumes);
});

test("and nothing else changes", () => {
    const { notifications: _n, externalEvents: _e, ...rest } = inline;
    const deployment = { ...withMessaging.deployment, extraVolumes: plain.deployment.extraVolumes, extraVolumeMounts: plain.deployment.extraVolumeMounts };
    expect({ ...withMessaging, configuration: { ...withMessaging.configuration, inline: rest }, deployment }).toEqual(plain);
});
