// sdp serve's local API Gateway: the REST APIs of a synthesized stack, served over HTTP on 127.0.0.1.
export * from './local-rest-api';
export * from './mapping-template';
export * from './rest-api-definition';
export * from './rest-api-server';
