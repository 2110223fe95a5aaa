import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodePeaks } from '../../../edge-node/src/lobby/detector/centernet-onnx.ts';
import { DataType, encodeModel } from '../../../edge-node/src/lobby/detector/onnx-proto.ts';

describe('ONNX writer', () => {
  it('writes a model onnxruntime loads and runs: y = clip(x · w + b, 0, 6)', async () => {
    const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
    const bytes = encodeModel({
      name: 'tiny',
      opset: 18,
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 3] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: [1, 3] }],
      initializers: [
        { name: 'w', dims: [3], dataType: DataType.FLOAT, raw: f32(2, -1, 10) },
        { name: 'b', dims: [], dataType: DataType.FLOAT, raw: f32(0.5) },
        { name: 'lo', dims: [], dataType: DataType.FLOAT, raw: f32(0) },
        { name: 'hi', dims: [], dataType: DataType.FLOAT, raw: f32(6) },
      ],
      nodes: [
        { opType: 'Mul', name: 'm', inputs: ['x', 'w'], outputs: ['xw'] },
        { opType: 'Add', name: 'a', inputs: ['xw', 'b'], outputs: ['z'] },
        { opType: 'Clip', name: 'c', inputs: ['z', 'lo', 'hi'], outputs: ['y'] },
      ],
    });
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 1, 1), [1, 3]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([2.5, 0, 6]);
    await session.release();
  });
});

describe('CenterNet peak decoding', () => {
  it('keeps local maxima above the threshold and decodes boxes from the size head (stride 4)', () => {
    const grid = 128;
    const kp = new Float32Array(grid * grid * 80);
    const wh = new Float32Array(grid * grid * 4);
    const set = (x: number, y: number, score: number, [l, t, r, b]: number[], cls = 0) => {
      kp[(y * grid + x) * 80 + cls] = score;
      wh.set([l!, t!, r!, b!], (y * grid + x) * 4);
    };
    set(64, 64, 0.9, [10, 40, 12, 20]); // a person centred at (256, 256) px
    set(65, 64, 0.5, [10, 40, 12, 20]); // its neighbour: not a peak
    set(10, 100, 0.3, [5, 5, 5, 5]); // below threshold
    set(100, 20, 0.8, [5, 5, 5, 5], 2); // a car: another class
    const people = decodePeaks(kp, wh, 0.35);
    expect(people).toHaveLength(1);
    expect(people[0]!.score).toBeCloseTo(0.9);
    expect(people[0]!.box.map((v) => Math.round(v * 512))).toEqual([246, 216, 268, 276]);
  });
});
