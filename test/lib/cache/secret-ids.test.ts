import { isFormOf, nameInArn, namesInArnForm, secretFamily } from '../../../lib/cache/secret-ids';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app/db-AbCdEf';

describe('secret id forms (cache)', () => {
  it('finds the name inside a full secret ARN only', () => {
    expect(nameInArn(ARN)).toBe('prod/app/db');
    expect(nameInArn(ARN.slice(0, -7))).toBeUndefined();
    expect(nameInArn('prod/app/db')).toBeUndefined();
  });

  it('knows the name, full ARN and partial ARN as forms of one secret, and nothing else', () => {
    expect(['prod/app/db', ARN, ARN.slice(0, -7)].map((id) => isFormOf(id, ARN))).toEqual([true, true, true]);
    expect(
      ['prod/app', 'prod/app/db-AbCdEf', ARN.replace('123456789012', '999999999999')].map((id) =>
        isFormOf(id, ARN),
      ),
    ).toEqual([false, false, false]);
  });

  it('offers both readings of an ARN form not seen yet', () => {
    expect(namesInArnForm(ARN)).toEqual(['prod/app/db-AbCdEf', 'prod/app/db']);
    expect(namesInArnForm(ARN.slice(0, -7))).toEqual(['prod/app/db']);
    expect(namesInArnForm('prod/app/db')).toEqual([]);
  });

  it('gives every form of a secret one family', () => {
    expect(new Set(['prod/app/db', ARN, ARN.slice(0, -7)].map(secretFamily))).toEqual(
      new Set(['prod/app/db']),
    );
    expect(secretFamily('prod/app/db-2')).toBe('prod/app/db-2');
  });
});
