// Starts fauxqs (local S3 + SQS on the AWS wire protocol) on loopback only, with request logging off.
// Usage: node launch.mjs [port]   (port 0 or absent: a free port; FAUXQS_PORT also works)
// Prints one line "fauxqs listening on http://127.0.0.1:PORT" once it accepts requests.
import { buildApp } from "fauxqs";

const port = Number(process.argv[2] ?? process.env.FAUXQS_PORT ?? 0);
const app = buildApp({ logger: false });
await app.listen({ port, host: "127.0.0.1" });
console.log(`fauxqs listening on http://127.0.0.1:${app.server.address().port}`);

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    await app.close();
    process.exit(0);
  });
}
