import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Run with `pulumi preview --policy-pack policy` (and `pulumi up`); the workflows do. See README, "Policy pack".
new PolicyPack("flyte-platform-guardrails", {
    description: "Guard rails for the Flyte platform: private storage, databases and messaging, Workload Identity, least privilege, protected production data, encryption, no unauthenticated public endpoints, HTTPS only with a certificate on every TLS listener, restricted containers with resources, bounded Jobs.",
    policies,
});
