// Child process for the durability test: writes until killed and prints each acknowledged write as
// "create <key> <rv>" or "delete <key> <rv>", one line per write, only after its promise resolved; and
// "deleting <key> 0" before a delete is sent, since a kill may land after the delete is stored but before its ack.
import { LevelStore } from '../leveldb.js';

const store = await LevelStore.open(process.argv[2]);
let n = 0;

async function writer(): Promise<never> {
  for (;;) {
    const key = `/registry/durability/k${n++}`;
    const created = await store.create(key, { kind: 'ConfigMap', metadata: { name: key }, data: { n: String(n) } });
    process.stdout.write(`create ${key} ${created.metadata!.resourceVersion}\n`);
    if (n % 5 === 0) {
      process.stdout.write(`deleting ${key} 0\n`);
      const deleted = await store.delete(key);
      process.stdout.write(`delete ${key} ${deleted.metadata!.resourceVersion}\n`);
    }
  }
}

await Promise.all(Array.from({ length: 8 }, writer));
