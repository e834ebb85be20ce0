import { readFileSync } from 'node:fs';
const buf = readFileSync('/tmp/lsconv-bench/image-20000.json');
// classes: 0 plain, 1 quote, 2 backslash, 3 open, 4 close
const K = new Uint8Array(256); K[0x22]=1; K[0x5c]=2; K[0x7b]=3; K[0x5b]=3; K[0x7d]=4; K[0x5d]=4;
function scanA(chunk) { // current
  let depth=0,inString=false,escaped=false,count=0; const n=chunk.length;
  for (let j=0;j<n;j++){ const c=chunk[j];
    if (inString){ if(escaped) escaped=false; else if(c===0x5c) escaped=true; else if(c===0x22) inString=false; }
    else if(c===0x22) inString=true;
    else if(c===0x7b||c===0x5b){ ++depth; }
    else if(c===0x7d||c===0x5d){ if(--depth===1) count++; } }
  return count;
}
function scanB(chunk) { // table
  let depth=0,inString=false,count=0; const n=chunk.length;
  for (let j=0;j<n;j++){ const k=K[chunk[j]]; if(k===0) continue;
    if (inString){ if(k===2) j++; else if(k===1) inString=false; }
    else if(k===1) inString=true;
    else if(k===3) ++depth;
    else if(k===4){ if(--depth===1) count++; } }
  return count;
}
function scanC(chunk) { // table + indexOf in strings
  let depth=0,count=0; const n=chunk.length;
  for (let j=0;j<n;j++){ const k=K[chunk[j]]; if(k===0) continue;
    if(k===1){ // string
      let q=j+1;
      for(;;){ q=chunk.indexOf(0x22,q); if(q<0){j=n;break;} let b=q-1, bs=0; while(chunk[b]===0x5c){bs++;b--;} if(bs&1){q++;continue;} j=q; break; }
    }
    else if(k===3) ++depth;
    else if(k===4){ if(--depth===1) count++; } }
  return count;
}
for (let r=0;r<3;r++) for (const [name,f] of [['A',scanA],['B',scanB],['C',scanC]]) { const t=performance.now(); const c=f(buf); console.log(name,c,(performance.now()-t).toFixed(0)); }
