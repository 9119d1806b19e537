import type * as mocks from "../../../lib/plan/mocks";
import type { Json } from "../../../lib/plan/wire";

/**
 * What Google Cloud would report for a project's service identity (the Pub/Sub service agent the dead-letter grants
 * name), for the tests of components/gcp while lib/plan/mocks.ts answers it with its inputs only. Each test file
 * installs it with
 * `jest.mock("../../../lib/plan/mocks", () => jest.requireActual("./pubsubMocks").withGcpPubSubMocks(jest.requireActual("../../../lib/plan/mocks")))`.
 * It only fills what the plan's own mocks leave out, so it stays correct once they answer this type themselves.
 */

function str(value: Json | undefined, fallback: string): string {
    return typeof value === "string" && value !== "" ? value : fallback;
}

/** A project number (12 digits) the tests can recompute, the same for the same project id. */
export function mockProjectNumber(actual: typeof mocks, project: string): string {
    return actual.mockRandomDigits(`project-number/${project}`, 12);
}

/**
 * A service agent's email as generateServiceIdentity returns it: `service-<number>@gcp-sa-<api>.iam.gserviceaccount.com`
 * (Pub/Sub's: https://cloud.google.com/pubsub/docs/handling-failures).
 */
export function mockServiceAgentEmail(actual: typeof mocks, project: string, service: string): string {
    return `service-${mockProjectNumber(actual, project)}@gcp-sa-${service.replace(/\.googleapis\.com$/, "")}.iam.gserviceaccount.com`;
}

/** The plan's mocks, with what Service Usage reports for a service identity filled in. */
export function withGcpPubSubMocks(actual: typeof mocks): typeof mocks {
    return {
        ...actual,
        mockResource: (type, name, inputs) => {
            const result = actual.mockResource(type, name, inputs);
            if (type !== "gcp:projects/serviceIdentity:ServiceIdentity") {
                return result;
            }
            const email = mockServiceAgentEmail(actual, str(inputs.project, actual.MOCK_PROJECT), str(inputs.service, "pubsub.googleapis.com"));
            return { id: result.id, state: { email, member: `serviceAccount:${email}`, ...result.state } };
        },
    };
}
