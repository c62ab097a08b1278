// A typed client of the OPOP Jatim API: every path, parameter, body and answer
// is checked by the TypeScript compiler against types that openapi-typescript
// generates from openapi/openapi.yaml (src/schema.d.ts, `npm run generate`).
// The same code runs in a browser (fetch), React Native or Node 20.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type Problem = components["schemas"]["Problem"];
export type OpopClient = Client<paths>;

/** A client of the server at baseUrl; with a token, every request carries it as a bearer. */
export function opopClient(baseUrl: string, token?: string, language = "en"): OpopClient {
  const client = createClient<paths>({ baseUrl });
  const headers: Middleware = {
    onRequest({ request }) {
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      request.headers.set("Accept-Language", language);
      return request;
    },
  };
  client.use(headers);
  return client;
}

/** The answer's data, or an Error naming the step, the status and the problem's detail. */
export function expectData<T>(what: string, answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data !== undefined && answer.response.ok) return answer.data;
  const problem = answer.error as Partial<Problem> | undefined;
  throw new Error(`${what}: ${answer.response.status} ${problem?.title ?? ""} ${problem?.detail ?? ""}`.trim());
}
