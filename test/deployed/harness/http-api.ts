import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Route {
  routeKey: string;
  functionName: string;
}

/**
 * The HTTP API's routes as the template declares them (moto skips API Gateway v2): each route key
 * and the function its integration invokes.
 */
export function routesOf(resources: Resources): Route[] {
  const functionOfIntegration = (ref: string): string => {
    const uri = resources[ref]!.Properties.IntegrationUri as { 'Fn::GetAtt': [string, string] };
    return resources[uri['Fn::GetAtt'][0]]!.Properties.FunctionName as string;
  };
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map((r) => {
      const target = r.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      return {
        routeKey: r.Properties.RouteKey as string,
        functionName: functionOfIntegration(target['Fn::Join'][1][1].Ref),
      };
    });
}

/** The route API Gateway picks for a request: the matching route key (path parameters), else $default. */
export function matchRoute(routes: Route[], method: string, path: string) {
  for (const route of routes) {
    const [routeMethod, routePath] = route.routeKey.split(' ');
    if (routeMethod !== method || !routePath) continue;
    const names: string[] = [];
    const pattern = routePath.replace(/\{([^}]+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const match = new RegExp(`^${pattern}$`).exec(path);
    if (match) {
      return {
        route,
        pathParameters: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)])),
      };
    }
  }
  const fallback = routes.find((r) => r.routeKey === '$default');
  return fallback ? { route: fallback, pathParameters: undefined } : undefined;
}

/** The payload format 2.0 event the HTTP API sends a function for one request. */
export function httpApiEvent(request: {
  method: string;
  url: string;
  routeKey: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}): APIGatewayProxyEventV2 {
  const url = new URL(request.url, 'https://api.example.test');
  const headers = Object.fromEntries(
    Object.entries({
      host: url.host,
      'user-agent': 'spawn-queue-deployed-test',
      'x-forwarded-proto': 'https',
      ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }),
      ...request.headers,
    }).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : undefined;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: query,
    pathParameters: request.pathParameters,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: url.host,
      domainPrefix: url.host.split('.')[0]!,
      http: {
        method: request.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.7',
        userAgent: 'spawn-queue-deployed-test',
      },
      requestId: randomUUID(),
      routeKey: request.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: request.body,
    isBase64Encoded: false,
  };
}
