import { run } from './post.js'

// The post step's entry (action.yml `runs.post`, bundled as dist/post.js): it runs post.ts's `run`.
run()
