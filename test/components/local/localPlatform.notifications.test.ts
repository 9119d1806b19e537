/**
 * Email notifications on the local target: flyteadmin's in-process `sandbox` channel and the SMTP server the user
 * names, nothing declared for them; without notifications the platform hands the Flyte layer no messaging at all.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { LocalStackConfig, NotificationsConfig } from "../../../components/contract/config";
import { flyteWorkloads } from "../../../components/contract/identities";
import { commonPlatformArgs, type FlyteMessaging, type FlytePlatform } from "../../../components/contract/platform";
import { LocalPlatform, localMessaging } from "../../../components/local/localPlatform";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { localStackConfig } from "../../helpers/config";

const SMTP = {
    "flyte:notifications": "true",
    "flyte:notificationsSender": "flyte@ml.example.com",
    "flyte:notificationsEmailService": "smtp",
    "flyte:smtpServer": "smtp.example.com",
    "flyte:smtpPort": "587",
    "flyte:smtpUsername": "flyte-mailer",
    "flyte:smtpPassword": "not-a-real-smtp-password",
};

let dir: string;
const savedEnv = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };

beforeAll(() => {
    // No kubeconfig where the plan runs: what is planned does not depend on the workstation's.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-notifications-test-"));
    delete process.env.KUBECONFIG;
    process.env.HOME = dir;
});

afterAll(() => {
    for (const [name, value] of Object.entries(savedEnv)) {
        if (value === undefined) {
            delete process.env[name];
        } else {
            process.env[name] = value;
        }
    }
    fs.rmSync(dir, { recursive: true, force: true });
});

/** What a messaging hands the Flyte layer, secrets revealed beside whether they are secret. */
function describeMessaging(messaging: FlyteMessaging | undefined): pulumi.Output<unknown> {
    if (messaging === undefined) {
        return pulumi.output("none");
    }
    const notifications = messaging.notifications;
    if (notifications === undefined || notifications.email.service !== "smtp") {
        return pulumi.output({ keys: Object.keys(messaging), email: notifications?.email.service ?? "none" });
    }
    const { password, ...email } = notifications.email;
    return pulumi.all([pulumi.isSecret(password), pulumi.unsecret(password)]).apply(([secret, value]) => ({
        keys: Object.keys(messaging),
        channel: notifications.channel,
        sender: notifications.sender,
        email: { ...email, password: { secret, value } },
    }));
}

function planPlatform(config: LocalStackConfig): Promise<Plan> {
    return runComponents(() => {
        const platform: FlytePlatform = new LocalPlatform("local", { ...commonPlatformArgs(config, flyteWorkloads(config.flyte)), config: config.local });
        return {
            messaging: describeMessaging(platform.messaging),
            releaseDependencies: platform.releaseDependencies.map((r) => r.urn),
        };
    });
}

/** Every resource as the engine would see it: type, name, parent, inputs, dependencies. */
function declared(plan: Plan): unknown[] {
    return plan.resources.map((r) => ({ urn: r.urn, parent: r.parent, inputs: r.inputs, dependencies: r.dependencies }));
}

describe("notifications through SMTP", () => {
    let withEmail: Plan;
    let without: Plan;
    beforeAll(async () => {
        withEmail = await planPlatform(localStackConfig(SMTP));
        without = await planPlatform(localStackConfig());
    });

    test("flyteadmin gets the sandbox channel, the sender and the SMTP server; the password only as a secret", () => {
        expect(withEmail.outputs.messaging).toEqual({
            keys: ["notifications"],
            channel: { type: "sandbox" },
            sender: "flyte@ml.example.com",
            email: {
                service: "smtp",
                server: "smtp.example.com",
                port: 587,
                username: "flyte-mailer",
                password: { secret: true, value: "not-a-real-smtp-password" },
            },
        });
    });

    test("nothing is declared for them, and the release waits for nothing more", () => {
        expect(declared(withEmail)).toEqual(declared(without));
        expect(withEmail.outputs.releaseDependencies).toEqual(without.outputs.releaseDependencies);
        expect(JSON.stringify(withEmail.resources)).not.toContain("not-a-real-smtp-password");
    });

    test("without notifications the platform hands over no messaging", () => {
        expect(without.outputs.messaging).toBe("none");
    });
});

describe("localMessaging", () => {
    const smtp = localStackConfig(SMTP).notifications as NotificationsConfig;

    test("a server that needs no login: no user, an empty password, still a secret", async () => {
        const noLogin = localStackConfig({ ...SMTP, "flyte:smtpUsername": "", "flyte:smtpPassword": "" }).notifications;
        const plan = await runComponents(() => ({ messaging: describeMessaging(localMessaging(noLogin, false)) }));
        expect(plan.outputs.messaging).toEqual({
            keys: ["notifications"],
            channel: { type: "sandbox" },
            sender: "flyte@ml.example.com",
            email: { service: "smtp", server: "smtp.example.com", port: 587, username: "", password: { secret: true, value: "" } },
        });
    });

    test("off: undefined", () => {
        expect(localMessaging(undefined, false)).toBeUndefined();
    });

    test("execution events, which config never sets on local, are refused rather than dropped", () => {
        expect(() => localMessaging(undefined, true)).toThrow("local: execution events need a cloud topic (gcp or aws); the local target has none");
        expect(() => localMessaging(smtp, true)).toThrow(/execution events/);
    });

    test("an email service other than SMTP, which config refuses on local, is refused here too", () => {
        expect(() => localMessaging({ sender: "flyte@ml.example.com", email: { service: "ses" } }, false)).toThrow(
            "local: notifications are sent through SMTP only, not ses",
        );
        expect(() => localMessaging({ sender: "flyte@ml.example.com", email: { service: "sendgrid", apiKey: "k" } }, false)).toThrow(/not sendgrid/);
    });
});
