// Field ownership (metadata.managedFields) and server-side apply for the request handlers.
export { FieldManager, type FieldManagerOptions } from './fieldmanager.js';
export { managerFromUserAgent, validateApplyOptions, type PatchOptions } from './options.js';
