// A big graph's edges as plain WebGL lines on sigma's edges canvas, kept out of sigma: sigma reads every edge into
// its caches and buffers in one go (0.6 s at 180,000 edges on 2 cores, a frozen page), and each draw re-uploads them.
// Here each edge is two vertices placed from sigma's own display data of its ends (normalised graph space, so the
// camera is only a matrix), placed and uploaded the first time it is drawn, and drawn in ranges: a range a frame.

const VERTEX = /* glsl */ `
attribute vec2 a_position;
uniform mat3 u_matrix;
void main() {
  gl_Position = vec4((u_matrix * vec3(a_position, 1.0)).xy, 0.0, 1.0);
}
`;

const FRAGMENT = /* glsl */ `
precision mediump float;
uniform vec4 u_color;
void main() {
  gl_FragColor = u_color;
}
`;

export interface EdgeDrawParams {
  matrix: Float32Array;
  width: number;
  height: number;
  pixelRatio: number;
}

function compile(gl: WebGLRenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type)!;
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`edge shader: ${gl.getShaderInfoLog(shader) ?? 'did not compile'}`);
  return shader;
}

/** "#rrggbb" (how the page's colours reach sigma) as WebGL's 0–1 floats; anything else draws grey. */
function rgba(color: string): [number, number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return [0.5, 0.5, 0.5, 1];
  return [parseInt(m[1]!, 16) / 255, parseInt(m[2]!, 16) / 255, parseInt(m[3]!, 16) / 255, 1];
}

export class EdgeLayer {
  private readonly program: WebGLProgram;
  private readonly buffer: WebGLBuffer;
  private readonly position: number;
  private readonly matrix: WebGLUniformLocation;
  private readonly color: WebGLUniformLocation;
  private readonly places: Float32Array;
  /** Edges [0, placed) have their places in the buffer. */
  private placed = 0;

  /** `ends`: each edge's source and target node keys, one after the other. */
  constructor(
    private readonly gl: WebGLRenderingContext,
    private readonly ends: readonly string[],
  ) {
    const program = gl.createProgram()!;
    gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`edge program: ${gl.getProgramInfoLog(program) ?? 'did not link'}`);
    this.program = program;
    this.position = gl.getAttribLocation(program, 'a_position');
    this.matrix = gl.getUniformLocation(program, 'u_matrix')!;
    this.color = gl.getUniformLocation(program, 'u_color')!;
    this.places = new Float32Array(ends.length * 2);
    this.buffer = gl.createBuffer()!;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
    gl.bufferData(gl.ARRAY_BUFFER, this.places.byteLength, gl.STATIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
  }

  get count(): number {
    return this.ends.length / 2;
  }

  /** The nodes moved (or sigma normalised their places anew): every edge is placed again as it is next drawn. */
  unplace(): void {
    this.placed = 0;
  }

  /** Draws edges [from, to), placing first those not placed yet; an end sigma does not show is drawn as a point. */
  draw(from: number, to: number, params: EdgeDrawParams, color: string, placeOf: (node: string) => { x: number; y: number } | undefined): void {
    const gl = this.gl;
    to = Math.min(to, this.count);
    if (to <= from) return;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
    if (to > this.placed) {
      const start = this.placed;
      for (let e = start; e < to; e++) {
        const s = placeOf(this.ends[2 * e]!);
        const t = placeOf(this.ends[2 * e + 1]!) ?? s;
        const a = s ?? t;
        this.places[4 * e] = a?.x ?? 0;
        this.places[4 * e + 1] = a?.y ?? 0;
        this.places[4 * e + 2] = t?.x ?? a?.x ?? 0;
        this.places[4 * e + 3] = t?.y ?? a?.y ?? 0;
      }
      gl.bufferSubData(gl.ARRAY_BUFFER, start * 16, this.places.subarray(start * 4, to * 4));
      this.placed = to;
    }
    gl.useProgram(this.program);
    gl.viewport(0, 0, params.width * params.pixelRatio, params.height * params.pixelRatio);
    gl.uniformMatrix3fv(this.matrix, false, params.matrix);
    gl.uniform4fv(this.color, rgba(color));
    gl.enableVertexAttribArray(this.position);
    gl.vertexAttribPointer(this.position, 2, gl.FLOAT, false, 0, 0);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.drawArrays(gl.LINES, from * 2, (to - from) * 2);
    gl.disableVertexAttribArray(this.position);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
  }

  kill(): void {
    this.gl.deleteBuffer(this.buffer);
    this.gl.deleteProgram(this.program);
  }
}
