// Starts fauxqs (local S3 + SQS on the AWS wire protocol) on loopback only, with request logging off.
// Usage: node launch.mjs [port]   (port 0 or absent: a free port; FAUXQS_PORT also works)
// With FAUXQS_DATA_DIR set, queues, messages, buckets and objects are kept in SQLite there and survive a restart
// (fauxqs's own startFauxqs does the same, but listens on every interface).
// Prints one line "fauxqs listening on http://127.0.0.1:PORT" once it accepts requests.
import { buildApp } from "fauxqs";

const port = Number(process.argv[2] ?? process.env.FAUXQS_PORT ?? 0);
const dataDir = process.env.FAUXQS_DATA_DIR;
const options = { logger: false };
let persistence;
if (dataDir) {
  const dist = new URL("./node_modules/fauxqs/dist/", import.meta.url);
  const { PersistenceManager } = await import(new URL("persistence.js", dist));
  const { SqsStore } = await import(new URL("sqs/sqsStore.js", dist));
  const { SnsStore } = await import(new URL("sns/snsStore.js", dist));
  const { S3Store } = await import(new URL("s3/s3Store.js", dist));
  const stores = { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() };
  persistence = new PersistenceManager(dataDir);
  persistence.load(stores.sqsStore, stores.snsStore, stores.s3Store);
  stores.sqsStore.persistence = persistence;
  stores.snsStore.persistence = persistence;
  stores.s3Store.persistence = persistence;
  for (const queue of stores.sqsStore.allQueues()) {
    queue.persistence = persistence;
  }
  options.stores = stores;
}
const app = buildApp(options);
if (persistence) {
  app.addHook("preClose", () => persistence.close());
}
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
