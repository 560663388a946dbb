// The 3D-photo viewer of `depthstyle 3d` (apps/photo3d/viewer_page.h writes the page).
//
// scripts/setup bundles this file with three.js (npm `three`: its GLTFLoader and OrbitControls)
// into one classic script, data/viewer/depthstyle-viewer.js, exposing DepthstyleViewer.show().
// The command copies that bundle and the .glb (base64) into the HTML page, so the page works
// from a double-click (file://, where Chromium refuses module imports and fetch()) and
// without a network.
//
// The first view is the photo's own camera, with its exact pinhole intrinsics (the glTF
// camera's extras: fx, fy, cx, cy, width, height) -- the CPU renderer's image formation, which
// the browser test compares the screenshot with. The page's address may choose another view:
//   page.html#view=tx,ty,tz,yaw,pitch   metres and degrees in the photo's camera frame
//                                       (x right, y down, z forward; yaw > 0 turns right,
//                                       pitch > 0 up), as `depthstyle 3d --view`;
//   ...&ui=0                            no help line (clean screenshots).
// Drag to orbit around the scene's centre, right-drag to pan, wheel to zoom; a double-click
// returns to the first view. When the model is shown, <html data-state="ready">; on failure
// data-state="error" and the message is on the page.
import * as THREE from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

function base64ToArrayBuffer(text) {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; ++i) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

function setState(state, message) {
  document.documentElement.dataset.state = state;
  const status = document.getElementById('status');
  if (!status) return;
  status.textContent = message || '';
  status.style.display = message ? 'block' : 'none';
}

// The page's #view=... and #ui=... settings.
function hashSettings() {
  const out = { view: [0, 0, 0, 0, 0], ui: true };
  for (const part of window.location.hash.replace(/^#/, '').split('&')) {
    const [key, value] = part.split('=');
    if (key === 'view' && value) {
      const v = value.split(',').map(Number);
      if (v.length === 5 && v.every(Number.isFinite)) out.view = v;
    }
    if (key === 'ui') out.ui = value !== '0';
  }
  return out;
}

// The projection of a pinhole camera (pixels: u right, v down) for a three.js camera looking
// down -z with y up: clip x = (2 fx / W) X + (1 - 2 cx / W) (-Z), clip y = (2 fy / H) Y + (2 cy / H - 1) (-Z).
function pinholeProjection(k, near, far) {
  const m = new THREE.Matrix4();
  m.set(2 * k.fx / k.width, 0, 1 - 2 * k.cx / k.width, 0,
        0, 2 * k.fy / k.height, 2 * k.cy / k.height - 1, 0,
        0, 0, -(far + near) / (far - near), -2 * far * near / (far - near),
        0, 0, -1, 0);
  return m;
}

// Places `camera` at the photo-frame view [tx, ty, tz, yaw, pitch]: glTF's frame is the photo's
// turned by 180 degrees about x, so the position is (tx, -ty, -tz), and R = Ry(yaw) Rx(pitch)
// becomes Ry(-yaw) Rx(pitch).
function placeCamera(camera, view) {
  const deg = Math.PI / 180;
  camera.position.set(view[0], -view[1], -view[2]);
  camera.rotation.set(view[4] * deg, -view[3] * deg, 0, 'YXZ');
  camera.updateMatrixWorld(true);
}

export function show(glbBase64) {
  const settings = hashSettings();
  const help = document.getElementById('help');
  if (help && !settings.ui) help.style.display = 'none';
  let renderer;
  try {
    renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
  } catch (e) {
    setState('error', 'This browser cannot show WebGL: ' + e.message);
    return;
  }
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  document.body.appendChild(renderer.domElement);

  new GLTFLoader().parse(base64ToArrayBuffer(glbBase64), '', (gltf) => {
    const k = gltf.cameras[0].userData.depthstyle;
    const target = gltf.scene.userData.orbitTarget || [0, 0, -1];
    const box = new THREE.Box3().setFromObject(gltf.scene);
    const far = Math.max(10, 4 * box.max.distanceTo(box.min));
    const camera = new THREE.PerspectiveCamera(gltf.cameras[0].fov, k.width / k.height, 0.01, far);
    const scene = new THREE.Scene();
    scene.add(gltf.scene);
    const draw = () => renderer.render(scene, camera);
    const resize = () => {
      // The photo's aspect ratio, as large as the window allows (letterboxed).
      const s = Math.min(window.innerWidth / k.width, window.innerHeight / k.height);
      renderer.setSize(Math.max(1, Math.round(k.width * s)), Math.max(1, Math.round(k.height * s)));
      camera.projectionMatrix.copy(pinholeProjection(k, camera.near, camera.far));
      camera.projectionMatrixInverse.copy(camera.projectionMatrix).invert();
      draw();
    };
    const controls = new OrbitControls(camera, renderer.domElement);
    const home = () => {
      placeCamera(camera, settings.view);
      // Orbit around the point at the scene centre's distance straight ahead, so that the
      // controls' lookAt keeps the view's direction.
      const distance = new THREE.Vector3(...target).length();
      const ahead = new THREE.Vector3(0, 0, -distance).applyQuaternion(camera.quaternion);
      controls.target.copy(camera.position).add(ahead);
      controls.update();
      draw();
    };
    controls.addEventListener('change', draw);
    renderer.domElement.addEventListener('dblclick', home);
    window.addEventListener('resize', resize);
    resize();
    home();
    setState('ready', '');
  }, (error) => setState('error', 'Could not read the 3D photo: ' + (error.message || error)));
}
