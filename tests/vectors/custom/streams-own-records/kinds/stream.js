// The "streams" kind in Node: Kinesis data streams that actions write to and read from.
//
// pareto loads this module for an app whose pareto.yaml names it under "kinds"; it exports the
// kind: the definition in stream.json (its schema, and the fields naming actions) and a renderer.
'use strict';

const definition = require('./stream.json');

const WRITE = ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:DescribeStreamSummary'];
const READ = ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords',
  'kinesis:GetShardIterator', 'kinesis:ListShards', 'kinesis:SubscribeToShard'];

function render(request) {
  const { entry, id: stream, references } = request;
  const arn = { 'Fn::GetAtt': [stream, 'Arn'] };
  const writers = new Set(references.writers.map((w) => w.name));
  const errors = entry.readers.flatMap((name, i) => (writers.has(name)
    ? [{ path: `/readers/${i}`,
      message: `action "${name}" writes to this stream too: it would read its own records back forever` }]
    : []));
  if (errors.length) return { errors };
  const resources = {
    [stream]: {
      Type: 'AWS::Kinesis::Stream',
      Properties: {
        Name: request.physical_name,
        ShardCount: entry.shards,
        RetentionPeriodHours: entry.retention_hours,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      },
    },
  };
  const grants = references.writers.map((w) => ({ action: w.name, actions: WRITE, resources: [arn] }));
  for (const reader of references.readers) {
    grants.push({ action: reader.name, actions: READ, resources: [arn] });
    resources[`${stream}${reader.id}Mapping`] = {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: arn,
        FunctionName: { Ref: reader.id },
        StartingPosition: 'LATEST',
        BatchSize: entry.batch,
        MaximumRetryAttempts: 3,
        BisectBatchOnFunctionError: true,
      },
    };
  }
  const outputs = {
    [`${stream}Name`]: { Value: { Ref: stream }, Description: `stream ${request.name}` },
    [`${stream}Arn`]: { Value: arn, Description: `ARN of stream ${request.name}` },
  };
  return { resources, outputs, grants };
}

module.exports = { ...definition, render };
