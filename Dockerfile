# One image for every role; the command picks the role (npm run start:api | start:worker).
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY db ./db
COPY schema ./schema
COPY server ./server
USER node
EXPOSE 8000
CMD ["npm", "run", "start:api"]
