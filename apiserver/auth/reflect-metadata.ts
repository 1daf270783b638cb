// @peculiar/x509 registers its algorithms through tsyringe, which refuses to load unless the Reflect metadata API
// exists. tsyringe only stores and reads back plain values with it (no decorator type emission is involved), so
// this small stand-in suffices where the reflect-metadata package is not a dependency. A real polyfill loaded
// earlier takes precedence.
type MetadataApi = {
  getMetadata(key: unknown, target: object): unknown;
  getOwnMetadata(key: unknown, target: object): unknown;
  defineMetadata(key: unknown, value: unknown, target: object): void;
};

const reflect = Reflect as typeof Reflect & Partial<MetadataApi>;

if (typeof reflect.getMetadata !== 'function') {
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const api: MetadataApi = {
    getOwnMetadata: (key, target) => store.get(target)?.get(key),
    getMetadata(key, target) {
      for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o)) {
        const own = store.get(o);
        if (own?.has(key)) return own.get(key);
      }
      return undefined;
    },
    defineMetadata(key, value, target) {
      let own = store.get(target);
      if (!own) store.set(target, (own = new Map()));
      own.set(key, value);
    },
  };
  Object.assign(reflect, api);
}
