# One image for every role; the command picks it: npm run start:api | start:worker | start:scheduler |
# start:monitor | db:migrate:prod. Stage 1 compiles TypeScript to dist/ and builds the dashboard to client/dist; the
# runtime stage has production dependencies and those two outputs only, and runs plain `node` (no TypeScript
# compiler, tsx or Vite at run time).

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY db ./db
COPY schema ./schema
COPY server ./server
RUN npm run build
COPY client ./client
RUN npm run build:client

FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/client/dist ./client/dist
COPY package.json ./
USER node
EXPOSE 8000
CMD ["npm", "run", "start:api"]
