// grpc.health.v1.Health/Check as a @grpc/grpc-js service definition, for tests that need a gRPC
// health server independent of skiff's own client (src/runtime/grpc-health.ts): the messages
// are declared here again on purpose, so a mistake in skiff's encoding cannot hide in both.
import type * as grpc from '@grpc/grpc-js';
import pb from 'protobufjs/light.js';

const Req = new pb.Type('HealthCheckRequest').add(new pb.Field('service', 1, 'string'));
const Res = new pb.Type('HealthCheckResponse').add(new pb.Field('status', 1, 'int32'));

export const healthService: grpc.ServiceDefinition = {
  check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: object) => Buffer.from(Req.encode(v).finish()),
    requestDeserialize: (b: Buffer) => Req.toObject(Req.decode(b)),
    responseSerialize: (v: object) => Buffer.from(Res.encode(v).finish()),
    responseDeserialize: (b: Buffer) => Res.toObject(Res.decode(b)),
  },
};
