import createClient, { Client } from 'openapi-fetch';
import type { paths } from './api-types';

export type ApiClient = Client<paths>;

/**
 * A typed client of the JSON API: paths, parameters, bodies and answers all come from
 * the OpenAPI document (api-types.ts is generated from it), so a test written with it
 * shows the document is enough to call the API.
 */
export function apiClient(baseUrl: string, bearerToken?: string): ApiClient {
  return createClient<paths>({ baseUrl, headers: bearerToken ? { Authorization: `Bearer ${bearerToken}` } : {} });
}
