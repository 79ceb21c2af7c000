// The API's origin, from the validated configuration. Only server code imports this.
import { config } from '../config';

export const apiOrigin = config.apiOrigin;
